package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"alcarbon/internal/testredis"
)

// selfSigned writes a fresh self-signed certificate for 127.0.0.1 and
// localhost, and its key, to dir; it returns the files and the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: "alcarbon test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	return certFile, keyFile, cert
}

// tlsClient trusts only cert, speaks HTTP/2 when the server offers it and
// TLS no older than minVersion and no newer than maxVersion (0 = Go's).
func tlsClient(cert *x509.Certificate, minVersion, maxVersion uint16) *http.Client {
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, MinVersion: minVersion, MaxVersion: maxVersion},
		ForceAttemptHTTP2: true,
	}}
}

// startRunTLS runs the program as main does with env (which names the
// certificate), on a free loopback port, and waits for /healthz over
// HTTPS with client. It returns the port.
func startRunTLS(t *testing.T, env map[string]string, client *http.Client) (int, context.CancelFunc, <-chan error, *safeBuffer) {
	t.Helper()
	port := testredis.FreePort(t)
	env["ALCARBON_ADDR"] = "127.0.0.1:" + strconv.Itoa(port)
	if _, ok := env["ALCARBON_DATA_DIR"]; !ok {
		env["ALCARBON_DATA_DIR"] = t.TempDir()
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	out := &safeBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"alcarbon"}, func(k string) string { return env[k] }, out) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get("https://127.0.0.1:" + strconv.Itoa(port) + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return port, cancel, done, out
			}
		}
		select {
		case err := <-done:
			t.Fatalf("run exited early: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("service did not answer /healthz over HTTPS within 10s: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunTLS: with a certificate and key the server speaks HTTPS (HTTP/2,
// TLS 1.2+) and nothing else on its port, and alcarbon healthcheck follows
// it, accepting only the configured certificate.
func TestRunTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, cert := selfSigned(t, dir)
	env := map[string]string{"ALCARBON_TLS_CERT_FILE": certFile, "ALCARBON_TLS_KEY_FILE": keyFile}
	port, cancel, done, out := startRunTLS(t, env, tlsClient(cert, 0, 0))
	addr := "127.0.0.1:" + strconv.Itoa(port)

	resp, err := tlsClient(cert, 0, 0).Post("https://"+addr+"/v1/footprints/primary", "application/json",
		strings.NewReader(`{"electrolysis": {"ac_kwh_per_t": 13000}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Fatalf("HTTPS footprint: %d over %s, want 200 over HTTP/2", resp.StatusCode, resp.Proto)
	}
	if resp, err := tlsClient(cert, tls.VersionTLS10, tls.VersionTLS11).Get("https://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("TLS 1.1 accepted: %s", resp.Status)
	}
	// Plain HTTP on the port is refused: no response, or Go's 400 "Client
	// sent an HTTP request to an HTTPS server", never the resource.
	for _, path := range []string{"/healthz", "/2/footprints", "/auth/token"} {
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + addr + path)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "HTTPS") {
				t.Fatalf("plain HTTP %s: %d %s, want it refused", path, resp.StatusCode, body)
			}
		}
	}

	getenv := func(k string) string { return env[k] }
	if err := run(context.Background(), []string{"alcarbon", "healthcheck"}, getenv, io.Discard); err != nil {
		t.Fatalf("healthcheck over HTTPS: %v", err)
	}
	// Pinned: a healthcheck that expects another certificate refuses the
	// server's, though both are self-signed for 127.0.0.1.
	otherCert, otherKey, _ := selfSigned(t, t.TempDir())
	other := map[string]string{"ALCARBON_ADDR": addr, "ALCARBON_TLS_CERT_FILE": otherCert, "ALCARBON_TLS_KEY_FILE": otherKey}
	err = run(context.Background(), []string{"alcarbon", "healthcheck"}, func(k string) string { return other[k] }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ALCARBON_TLS_CERT_FILE") {
		t.Fatalf("healthcheck pinned to another certificate: %v, want a refusal", err)
	}
	// A healthcheck without TLS configured speaks plain HTTP and fails.
	plain := map[string]string{"ALCARBON_ADDR": addr}
	if err := run(context.Background(), []string{"alcarbon", "healthcheck"}, func(k string) string { return plain[k] }, io.Discard); err == nil {
		t.Fatal("plain HTTP healthcheck against the HTTPS server succeeded")
	}
	stop(t, cancel, done, out)
	if !strings.Contains(out.String(), `"tls":true`) {
		t.Fatalf("the log does not say TLS is on:\n%s", out)
	}
	if err := run(context.Background(), []string{"alcarbon", "healthcheck"}, getenv, io.Discard); err == nil {
		t.Fatal("healthcheck against a stopped server succeeded")
	}
}

// TestRunTLSFileErrors: a missing, unreadable or wrong certificate or key
// stops start-up with one sentence naming the variable; so does one
// variable without the other.
func TestRunTLSFileErrors(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir)
	_, otherKey, _ := selfSigned(t, t.TempDir())
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate\n"), 0o600)
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		name       string
		cert, key  string
		wantNames  []string
		wantReason string
	}{
		{"certificate only", certFile, "", []string{"ALCARBON_TLS_CERT_FILE", "ALCARBON_TLS_KEY_FILE"}, "set both"},
		{"key only", "", keyFile, []string{"ALCARBON_TLS_KEY_FILE", "ALCARBON_TLS_CERT_FILE"}, "set both"},
		{"certificate missing", missing, keyFile, []string{"ALCARBON_TLS_CERT_FILE"}, "no such file"},
		{"key missing", certFile, missing, []string{"ALCARBON_TLS_KEY_FILE"}, "no such file"},
		{"certificate not PEM", garbage, keyFile, []string{"ALCARBON_TLS_CERT_FILE"}, "PEM CERTIFICATE"},
		{"key not PEM", certFile, garbage, []string{"ALCARBON_TLS_KEY_FILE"}, "not a PEM private key"},
		{"key of another certificate", certFile, otherKey, []string{"ALCARBON_TLS_KEY_FILE"}, "not a PEM private key of the certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{
				"ALCARBON_ADDR": "127.0.0.1:0", "ALCARBON_DATA_DIR": t.TempDir(),
				"ALCARBON_TLS_CERT_FILE": tc.cert, "ALCARBON_TLS_KEY_FILE": tc.key,
			}
			var out bytes.Buffer
			err := run(context.Background(), []string{"alcarbon"}, func(k string) string { return env[k] }, &out)
			if err == nil {
				t.Fatal("run started")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.wantNames[0]+": ") || !strings.Contains(msg, tc.wantReason) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q, want one line starting %s: and saying %q", msg, tc.wantNames[0], tc.wantReason)
			}
			for _, name := range tc.wantNames {
				if !strings.Contains(msg, name) {
					t.Fatalf("error %q does not name %s", msg, name)
				}
			}
			if strings.Contains(out.String(), `"msg":"listening"`) {
				t.Fatal("the server listened")
			}
		})
	}
}

// TestRunAnswerSourceBehindProxies: the source of an outbound PACT answer
// is the host the request reached, whatever X-Forwarded-Host and
// X-Forwarded-Proto a client that is not a trusted proxy sends; a trusted
// proxy's X-Forwarded-Host counts; ALCARBON_PUBLIC_URL wins.
func TestRunAnswerSourceBehindProxies(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want func(port int) string
	}{
		{"untrusted client", map[string]string{}, func(port int) string { return "//127.0.0.1:" + strconv.Itoa(port) }},
		{"trusted proxy", map[string]string{"ALCARBON_TRUSTED_PROXIES": "127.0.0.0/8"}, func(int) string { return "//proxied.example" }},
		{"public URL", map[string]string{"ALCARBON_TRUSTED_PROXIES": "127.0.0.0/8", "ALCARBON_PUBLIC_URL": "https://carbon.example.com/alcarbon/"},
			func(int) string { return "//carbon.example.com/alcarbon" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events := make(chan map[string]any, 1)
			partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/pact/auth/token":
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, `{"access_token": "partner-token", "token_type": "bearer"}`)
				case "/pact/2/events":
					var ev map[string]any
					json.NewDecoder(r.Body).Decode(&ev)
					events <- ev
				}
			}))
			defer partner.Close()
			dir := t.TempDir()
			env := map[string]string{"ALCARBON_DATA_DIR": dir, "ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS": "1"}
			cmd := func(args ...string) string {
				var out bytes.Buffer
				if err := run(context.Background(), append([]string{"alcarbon"}, args...), func(k string) string { return env[k] }, &out); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, out.String())
				}
				return out.String()
			}
			out := cmd("pact-clients", "create", "--org", "Buyer")
			clientID, clientSecret := field(t, out, "client id"), field(t, out, "client secret")
			cmd("pact-partners", "add", "--org", "Buyer", "--source", "//buyer.example/pact",
				"--base-url", partner.URL+"/pact", "--client-id", "alcarbon", "--client-secret", "s3cret")
			for k, v := range tc.env {
				env[k] = v
			}
			base, cancel, done, logs := startRun(t, env)
			port, _ := strconv.Atoi(base[strings.LastIndex(base, ":")+1:])

			token := pactToken(t, base, clientID, clientSecret)
			req, _ := http.NewRequest("POST", base+"/2/events", strings.NewReader(`{"type": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
				"specversion": "1.0", "id": "req-1", "source": "//buyer.example/pact", "time": "2025-01-01T00:00:00Z",
				"data": {"pf": {"productIds": ["urn:gtin:1"]}}}`))
			req.Header.Set("Content-Type", "application/cloudevents+json")
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Forwarded-Host", "proxied.example")
			req.Header.Set("X-Forwarded-Proto", "https")
			req.Header.Set("X-Forwarded-Ssl", "on")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("request event: %d", resp.StatusCode)
			}
			select {
			case ev := <-events:
				if ev["source"] != tc.want(port) {
					t.Fatalf("answer source %v, want %s", ev["source"], tc.want(port))
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("no answer at the partner within 10 s:\n%s", logs)
			}
			stop(t, cancel, done, logs)
		})
	}
}
