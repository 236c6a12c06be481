// Package testredis gives tests a real Redis server: the shared one named by
// ALCARBON_TEST_REDIS_URL (the test command starts it), or a private
// redis-server child process a test may kill. Without either, a test skips,
// or fails when CI=true.
package testredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Client returns a client for a real Redis server and a key prefix that
// belongs to the calling test alone. The server is ALCARBON_TEST_REDIS_URL if
// set, else a private redis-server started for the test.
func Client(t testing.TB) (redis.UniversalClient, string) {
	t.Helper()
	if url := os.Getenv("ALCARBON_TEST_REDIS_URL"); url != "" {
		opts, err := redis.ParseURL(url)
		if err != nil {
			t.Fatalf("ALCARBON_TEST_REDIS_URL: %v", err)
		}
		client, prefix := NewClient(t, opts), Prefix(t)
		t.Cleanup(func() { deletePrefix(t, client, prefix) })
		return client, prefix
	}
	srv := Start(t)
	return NewClient(t, &redis.Options{Addr: srv.Addr}), Prefix(t)
}

func NewClient(t testing.TB, opts *redis.Options) *redis.Client {
	t.Helper()
	client := redis.NewClient(opts)
	t.Cleanup(func() { client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis ping %s: %v", opts.Addr, err)
	}
	return client
}

// deletePrefix removes the test's keys from a shared server.
func deletePrefix(t testing.TB, client *redis.Client, prefix string) {
	ctx := context.Background()
	iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		client.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Logf("deleting test keys %s*: %v", prefix, err)
	}
}

func Prefix(t testing.TB) string {
	b := make([]byte, 8)
	rand.Read(b)
	return "alcarbon-test:" + t.Name() + ":" + hex.EncodeToString(b) + ":"
}

// Server is a redis-server child process owned by one test.
type Server struct {
	Addr string // host:port
	Port int
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// Start starts a private redis-server on a free port, killed when the
// test ends. Without the binary the test is skipped, or fails when CI=true.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server not available")
		}
		t.Skip("redis-server not on PATH and ALCARBON_TEST_REDIS_URL not set")
	}
	var lastErr error
	for range 3 { // the free port can be taken between probing and binding
		srv, err := StartOn(t, FreePort(t))
		if err == nil {
			return srv
		}
		lastErr = err
	}
	t.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

// StartOn starts redis-server on port and waits until it answers PING.
func StartOn(t testing.TB, port int) (*Server, error) {
	t.Helper()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	srv := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(srv.done)
	}()
	t.Cleanup(srv.Stop)

	client := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	defer client.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := client.Ping(ctx).Err()
		cancel()
		switch {
		case err == nil:
			return srv, nil
		case srv.exited():
			return nil, fmt.Errorf("redis-server on port %d exited: %v", port, cmd.ProcessState)
		case time.Now().After(deadline):
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server, as a crash would, and waits for it to exit.
func (s *Server) Stop() {
	s.cmd.Process.Kill()
	<-s.done
}

func (s *Server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
