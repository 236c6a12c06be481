package kubernetes

// The manifests in this folder are validated offline, without a cluster and
// without downloading JSON schemas: every YAML document is decoded strictly
// (sigs.k8s.io/yaml.UnmarshalStrict: unknown or duplicate fields and wrong
// types are errors) into the typed objects of k8s.io/api, the same Go types
// the API server decodes into, and then checked against what the program
// itself defines: its configuration table (alcarbon/config), its routes
// (api/routes.go), its image (Dockerfile) and its measured memory
// (BENCHMARKS.md).

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"alcarbon/config"
)

const (
	name          = "alcarbon"
	secretFile    = "secret.yaml"
	kustomizeFile = "kustomization.yaml"
	repoRoot      = "../.."
)

// kustomization is the part of kustomize's Kustomization this folder uses;
// decoded strictly, so a field kustomize would read but this test does not
// know about fails until the test learns it.
type kustomization struct {
	APIVersion string           `json:"apiVersion"`
	Kind       string           `json:"kind"`
	Resources  []string         `json:"resources"`
	Images     []kustomizeImage `json:"images"`
}

// kustomizeImage is one entry of a Kustomization's images.
type kustomizeImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName,omitempty"`
	NewTag  string `json:"newTag,omitempty"`
	Digest  string `json:"digest,omitempty"`
}

// manifests is every object of the folder, by kind.
type manifests struct {
	deployment *appsv1.Deployment
	service    *corev1.Service
	secret     *corev1.Secret
	hpa        *autoscalingv2.HorizontalPodAutoscaler
	pdb        *policyv1.PodDisruptionBudget
	kustom     *kustomization
	files      map[string]string // kind -> file it was found in
}

// splitDocuments splits a YAML stream at its "---" lines; empty and
// comment-only documents are dropped.
func splitDocuments(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	flush := func() {
		meaningful := false
		for line := range strings.SplitSeq(cur.String(), "\n") {
			t := strings.TrimSpace(line)
			if t != "" && !strings.HasPrefix(t, "#") {
				meaningful = true
				break
			}
		}
		if meaningful {
			docs = append(docs, bytes.Clone(cur.Bytes()))
		}
		cur.Reset()
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.TrimRight(line, " \t\r") == "---" {
			flush()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	flush()
	return docs
}

// decode strictly decodes one document into the typed object of its
// apiVersion and kind.
func decode(doc []byte) (kind string, obj any, err error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return "", nil, fmt.Errorf("reading apiVersion and kind: %w", err)
	}
	switch tm.APIVersion + " " + tm.Kind {
	case "apps/v1 Deployment":
		obj = &appsv1.Deployment{}
	case "v1 Service":
		obj = &corev1.Service{}
	case "v1 Secret":
		obj = &corev1.Secret{}
	case "autoscaling/v2 HorizontalPodAutoscaler":
		obj = &autoscalingv2.HorizontalPodAutoscaler{}
	case "policy/v1 PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "kustomize.config.k8s.io/v1beta1 Kustomization":
		obj = &kustomization{}
	default:
		return "", nil, fmt.Errorf("unexpected apiVersion %q kind %q (add it to this test to validate it)", tm.APIVersion, tm.Kind)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return "", nil, fmt.Errorf("%s %s: %w", tm.APIVersion, tm.Kind, err)
	}
	return tm.Kind, obj, nil
}

func load(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	yml, _ := filepath.Glob("*.yml")
	if len(yml) > 0 {
		t.Fatalf("%v: name manifests *.yaml so that this test reads them", yml)
	}
	m := manifests{files: map[string]string{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocuments(data) {
			kind, obj, err := decode(doc)
			if err != nil {
				t.Errorf("%s, document %d: %v", f, i+1, err)
				continue
			}
			if prev, dup := m.files[kind]; dup {
				t.Errorf("%s: a second %s (the first is in %s)", f, kind, prev)
				continue
			}
			m.files[kind] = f
			switch o := obj.(type) {
			case *appsv1.Deployment:
				m.deployment = o
			case *corev1.Service:
				m.service = o
			case *corev1.Secret:
				m.secret = o
			case *autoscalingv2.HorizontalPodAutoscaler:
				m.hpa = o
			case *policyv1.PodDisruptionBudget:
				m.pdb = o
			case *kustomization:
				m.kustom = o
			}
		}
	}
	for kind, got := range map[string]bool{
		"Deployment": m.deployment != nil, "Service": m.service != nil, "Secret": m.secret != nil,
		"HorizontalPodAutoscaler": m.hpa != nil, "PodDisruptionBudget": m.pdb != nil, "Kustomization": m.kustom != nil,
	} {
		if !got {
			t.Errorf("no %s in deploy/kubernetes", kind)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return m
}

// container returns the Deployment's one container.
func (m manifests) container(t *testing.T) corev1.Container {
	t.Helper()
	cs := m.deployment.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("Deployment: %d containers, want 1", len(cs))
	}
	return cs[0]
}

// TestStrictDecodingBites shows that the decoding above refuses what a
// schema validator would: a misspelt field, a wrong type, a bad quantity,
// a duplicate key.
func TestStrictDecodingBites(t *testing.T) {
	data, err := os.ReadFile("deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ what, old, new string }{
		{"unknown field", "          livenessProbe:\n            httpGet:\n              path:", "          livenessProbe:\n            httpGet:\n              paht:"},
		{"wrong type", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: thirty"},
		{"bad quantity", "sizeLimit: 64Mi", "sizeLimit: 64 megabytes"},
		{"duplicate key", "      automountServiceAccountToken: false", "      automountServiceAccountToken: false\n      automountServiceAccountToken: true"},
		{"field at the wrong level", "      terminationGracePeriodSeconds: 30", "      terminationGracePeriodSeconds: 30\n      livenessProbe: {}"},
	} {
		if !bytes.Contains(data, []byte(tc.old)) {
			t.Fatalf("%s: deployment.yaml no longer contains %q; update this test", tc.what, tc.old)
		}
		bad := bytes.Replace(data, []byte(tc.old), []byte(tc.new), 1)
		if _, _, err := decode(bad); err == nil {
			t.Errorf("%s: decoded without error", tc.what)
		} else {
			t.Logf("%s: %v", tc.what, err)
		}
	}
	if _, _, err := decode([]byte("apiVersion: apps/v1beta1\nkind: Deployment\n")); err == nil {
		t.Error("a removed API version decoded without error")
	}
}

// configNames returns the variables of alcarbon's configuration table, from
// config.Usage (what `alcarbon --help` prints).
func configNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(ALCARBON_[A-Z0-9_]+)\s`).FindAllStringSubmatch(config.Usage(), -1) {
		names[m[1]] = true
	}
	if len(names) < 10 || !names["ALCARBON_ADDR"] {
		t.Fatalf("could not read the variables from config.Usage(): %v", slices.Sorted(maps.Keys(names)))
	}
	return names
}

// routes returns the GET paths registered in api/routes.go.
func routes(t *testing.T) map[string]bool {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot, "api", "routes.go"))
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, m := range regexp.MustCompile(`e\.GET\("([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		paths[m[1]] = true
	}
	if len(paths) == 0 {
		t.Fatal(`no e.GET("…") route found in api/routes.go; update this test`)
	}
	return paths
}

// The container's environment: every ALCARBON_ variable exists in the
// configuration table, the plain values are accepted by config.Load, the
// credentials come from the Secret, and the shutdown timings fit the grace
// period and the readiness probe.
func TestEnvironmentMatchesConfig(t *testing.T) {
	m := load(t)
	c := m.container(t)
	known := configNames(t)
	notALCARBON := map[string]bool{"GOMEMLIMIT": true} // Go runtime settings allowed besides the table

	plain := map[string]string{}
	fromSecret := map[string]*corev1.SecretKeySelector{}
	for _, e := range c.Env {
		switch {
		case strings.HasPrefix(e.Name, "ALCARBON_"):
			if !known[e.Name] {
				t.Errorf("env %s is not a variable of alcarbon's configuration (go run . --help)", e.Name)
			}
		case !notALCARBON[e.Name]:
			t.Errorf("env %s: not an ALCARBON_ variable nor an allowed Go runtime setting", e.Name)
		}
		if _, dup := plain[e.Name]; dup {
			t.Errorf("env %s set twice", e.Name)
		}
		if _, dup := fromSecret[e.Name]; dup {
			t.Errorf("env %s set twice", e.Name)
		}
		switch {
		case e.ValueFrom == nil:
			plain[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			fromSecret[e.Name] = e.ValueFrom.SecretKeyRef
		default:
			t.Errorf("env %s: only plain values and secretKeyRef are expected", e.Name)
		}
	}
	if len(c.EnvFrom) > 0 {
		t.Error("envFrom: list the variables one by one so that this test can check their names")
	}

	// Credentials: from the Secret, never as plain values.
	required := map[string]bool{
		"ALCARBON_DATABASE_URL":         true,
		"ALCARBON_REDIS_URL":            true,
		"ALCARBON_PACT_TOKEN_SECRET":    true,
		"ALCARBON_REGISTRY_SIGNING_KEY": false, // optional
	}
	for v, mustExist := range required {
		if _, ok := plain[v]; ok {
			t.Errorf("env %s is a plain value; it is a credential and must come from the Secret", v)
		}
		ref, ok := fromSecret[v]
		if !ok {
			t.Errorf("env %s is not read from the Secret", v)
			continue
		}
		if ref.Name != name || ref.Key != v {
			t.Errorf("env %s reads secret %q key %q, want secret %q key %q", v, ref.Name, ref.Key, name, v)
		}
		optional := ref.Optional != nil && *ref.Optional
		if mustExist && optional {
			t.Errorf("env %s: the secret key must not be optional", v)
		}
		if !mustExist && !optional {
			t.Errorf("env %s: the secret key should be optional: true", v)
		}
	}
	for v := range fromSecret {
		if _, ok := required[v]; !ok {
			t.Errorf("env %s comes from the Secret but this test does not know it as a credential", v)
		}
	}

	// The Secret documents exactly the keys the Deployment reads, with
	// placeholders only.
	if m.secret.Name != name || m.secret.Type != corev1.SecretTypeOpaque {
		t.Errorf("Secret %q type %q, want %q type Opaque", m.secret.Name, m.secret.Type, name)
	}
	if len(m.secret.Data) > 0 {
		t.Error("Secret: use stringData with visible placeholders, not data")
	}
	if got, want := slices.Sorted(maps.Keys(m.secret.StringData)), slices.Sorted(maps.Keys(required)); !slices.Equal(got, want) {
		t.Errorf("Secret keys %v, want %v", got, want)
	}
	for k, v := range m.secret.StringData {
		if !strings.Contains(v, "CHANGE-ME") {
			t.Errorf("Secret key %s: the value must be a placeholder containing CHANGE-ME, never a real credential", k)
		}
	}

	// The plain values are valid configuration.
	cfg, err := config.Load(func(k string) string { return plain[k] })
	if err != nil {
		t.Fatalf("config.Load rejects the Deployment's values: %v", err)
	}
	port := cfg.Addr[strings.LastIndex(cfg.Addr, ":")+1:]
	if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return strconv.Itoa(int(p.ContainerPort)) == port }) {
		t.Errorf("ALCARBON_ADDR %q: the container declares no port %s", cfg.Addr, port)
	}

	// SIGTERM: drain, then shutdown timeout, both inside the grace period.
	pod := m.deployment.Spec.Template.Spec
	if pod.TerminationGracePeriodSeconds == nil {
		t.Fatal("terminationGracePeriodSeconds is not set")
	}
	grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	if need := cfg.ShutdownDrain + cfg.ShutdownTimeout; grace <= need {
		t.Errorf("terminationGracePeriodSeconds %v ≤ ALCARBON_SHUTDOWN_DRAIN %v + ALCARBON_SHUTDOWN_TIMEOUT %v: SIGKILL would cut in-flight requests",
			grace, cfg.ShutdownDrain, cfg.ShutdownTimeout)
	}
	if cfg.ShutdownDrain == 0 {
		t.Error("ALCARBON_SHUTDOWN_DRAIN is 0: a terminating pod would refuse connections the load balancer still sends")
	}
	if r := c.ReadinessProbe; r != nil {
		if out := time.Duration(r.PeriodSeconds*r.FailureThreshold) * time.Second; out > cfg.ShutdownDrain {
			t.Errorf("readiness takes up to %v (periodSeconds × failureThreshold) to see the drain, longer than ALCARBON_SHUTDOWN_DRAIN %v", out, cfg.ShutdownDrain)
		}
	}
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
		t.Error("preStop: the server drains by itself on SIGTERM (see the comment in deployment.yaml); a preStop hook only delays it")
	}

	// GOMEMLIMIT below the memory limit.
	if v, ok := plain["GOMEMLIMIT"]; ok {
		soft, err := parseGoSize(v)
		if err != nil {
			t.Errorf("GOMEMLIMIT %q: %v", v, err)
		} else if lim, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && soft >= lim.Value() {
			t.Errorf("GOMEMLIMIT %s is not below the memory limit %s", v, lim.String())
		}
	}
}

// parseGoSize parses a GOMEMLIMIT value: bytes with an optional B, KiB,
// MiB, GiB or TiB suffix.
func parseGoSize(v string) (int64, error) {
	mult := int64(1)
	for _, s := range []struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(v, s.suffix) {
			v, mult = strings.TrimSuffix(v, s.suffix), s.m
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n * mult, err
}

// Probes point at routes the server has, on the container's port.
func TestProbes(t *testing.T) {
	m := load(t)
	c := m.container(t)
	paths := routes(t)
	for _, p := range []struct {
		what  string
		probe *corev1.Probe
		path  string
	}{
		{"livenessProbe", c.LivenessProbe, "/healthz"},
		{"readinessProbe", c.ReadinessProbe, "/readyz"},
		{"startupProbe", c.StartupProbe, "/healthz"},
	} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s: missing or not an httpGet probe", p.what)
			continue
		}
		g := p.probe.HTTPGet
		if g.Path != p.path {
			t.Errorf("%s path %q, want %q", p.what, g.Path, p.path)
		}
		if !paths[g.Path] {
			t.Errorf("%s path %q is not a GET route of api/routes.go", p.what, g.Path)
		}
		if !portExists(c, g.Port) {
			t.Errorf("%s port %s is not a port of the container", p.what, g.Port.String())
		}
		if p.probe.TimeoutSeconds < 1 || p.probe.PeriodSeconds < 1 || p.probe.FailureThreshold < 1 {
			t.Errorf("%s: set timeoutSeconds, periodSeconds and failureThreshold explicitly", p.what)
		}
	}
	// /readyz pings the registry database for up to 2 s (api/health.go).
	if r := c.ReadinessProbe; r != nil && r.TimeoutSeconds < 3 {
		t.Errorf("readinessProbe timeoutSeconds %d: /readyz may take 2 s pinging the database; use 3 or more", r.TimeoutSeconds)
	}
	ann := m.deployment.Spec.Template.Annotations
	if p := ann["prometheus.io/path"]; p != "" && !paths[p] {
		t.Errorf("prometheus.io/path %q is not a GET route", p)
	}
	if p := ann["prometheus.io/port"]; p != "" && !portExists(c, intstr.Parse(p)) {
		t.Errorf("prometheus.io/port %q is not a port of the container", p)
	}
}

func portExists(c corev1.Container, port intstr.IntOrString) bool {
	return slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool {
		if port.Type == intstr.String {
			return p.Name == port.StrVal
		}
		return p.ContainerPort == port.IntVal
	})
}

// The Service, the autoscaler and the disruption budget all find the
// Deployment's pods.
func TestReferences(t *testing.T) {
	m := load(t)
	d := m.deployment
	c := m.container(t)
	podLabels := d.Spec.Template.Labels

	for what, n := range map[string]string{
		"Deployment": d.Name, "Service": m.service.Name, "Secret": m.secret.Name,
		"HorizontalPodAutoscaler": m.hpa.Name, "PodDisruptionBudget": m.pdb.Name,
	} {
		if n != name {
			t.Errorf("%s is named %q, want %q", what, n, name)
		}
	}

	if d.Spec.Selector == nil || len(d.Spec.Selector.MatchExpressions) > 0 || len(d.Spec.Selector.MatchLabels) == 0 {
		t.Fatal("Deployment: spec.selector must be matchLabels only")
	}
	if !selects(d.Spec.Selector.MatchLabels, podLabels) {
		t.Errorf("Deployment selector %v does not select its pod labels %v", d.Spec.Selector.MatchLabels, podLabels)
	}

	s := m.service.Spec
	if len(s.Selector) == 0 || !selects(s.Selector, podLabels) {
		t.Errorf("Service selector %v does not select the pod labels %v", s.Selector, podLabels)
	}
	if !maps.Equal(s.Selector, d.Spec.Selector.MatchLabels) {
		t.Errorf("Service selector %v differs from the Deployment's %v", s.Selector, d.Spec.Selector.MatchLabels)
	}
	if len(s.Ports) == 0 {
		t.Error("Service has no ports")
	}
	for _, p := range s.Ports {
		if !portExists(c, p.TargetPort) {
			t.Errorf("Service port %d: targetPort %s is not a port of the container", p.Port, p.TargetPort.String())
		}
	}

	h := m.hpa.Spec
	if ref := h.ScaleTargetRef; ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != d.Name {
		t.Errorf("HPA targets %s %s %q, want apps/v1 Deployment %q", ref.APIVersion, ref.Kind, ref.Name, d.Name)
	}
	if h.MinReplicas == nil || *h.MinReplicas < 2 || h.MaxReplicas < *h.MinReplicas {
		t.Errorf("HPA minReplicas %v maxReplicas %d: want at least 2, max ≥ min", h.MinReplicas, h.MaxReplicas)
	}
	if d.Spec.Replicas != nil {
		t.Error("Deployment spec.replicas is set: the HPA owns the replica count and kubectl apply would reset it")
	}
	for _, mt := range h.Metrics {
		if mt.Type != autoscalingv2.ResourceMetricSourceType || mt.Resource == nil {
			t.Errorf("HPA metric %s: only Resource metrics are expected", mt.Type)
			continue
		}
		if mt.Resource.Target.Type == autoscalingv2.UtilizationMetricType {
			if _, ok := c.Resources.Requests[mt.Resource.Name]; !ok {
				t.Errorf("HPA scales on %s utilization but the container requests no %s", mt.Resource.Name, mt.Resource.Name)
			}
		}
	}
	if len(h.Metrics) == 0 {
		t.Error("HPA has no metrics")
	}

	p := m.pdb.Spec
	if p.Selector == nil || len(p.Selector.MatchExpressions) > 0 || !selects(p.Selector.MatchLabels, podLabels) {
		t.Errorf("PDB selector %v does not select the pod labels %v", p.Selector, podLabels)
	}
	if (p.MaxUnavailable == nil) == (p.MinAvailable == nil) {
		t.Error("PDB: set exactly one of maxUnavailable and minAvailable")
	}
	if mu := p.MaxUnavailable; mu != nil && h.MinReplicas != nil {
		if n, err := intstr.GetScaledValueFromIntOrPercent(mu, int(*h.MinReplicas), true); err != nil || n < 1 || n >= int(*h.MinReplicas) {
			t.Errorf("PDB maxUnavailable %s with %d replicas: want 1 to %d", mu.String(), *h.MinReplicas, *h.MinReplicas-1)
		}
	}
	if ru := d.Spec.Strategy.RollingUpdate; ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.String() != "0" {
		t.Error("Deployment: rollingUpdate.maxUnavailable should be 0 so that a rollout keeps every replica until its successor is ready")
	}
}

// selects reports whether every label of sel is in labels.
func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// Non-root, read-only root filesystem, no capabilities; the user is the
// Dockerfile's.
func TestSecurityContext(t *testing.T) {
	m := load(t)
	pod := m.deployment.Spec.Template.Spec
	c := m.container(t)
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("automountServiceAccountToken should be false: the server never calls the Kubernetes API")
	}
	ps := pod.SecurityContext
	if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser == 0 {
		t.Fatal("pod securityContext: runAsNonRoot: true and a non-zero runAsUser are required")
	}
	if ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("pod securityContext: seccompProfile RuntimeDefault expected")
	}
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	u := regexp.MustCompile(`(?m)^USER\s+(\d+)`).FindSubmatch(dockerfile)
	if u == nil {
		t.Fatal("Dockerfile: no numeric USER line; update this test")
	}
	if strconv.FormatInt(*ps.RunAsUser, 10) != string(u[1]) {
		t.Errorf("runAsUser %d, the Dockerfile's USER is %s", *ps.RunAsUser, u[1])
	}
	cs := c.SecurityContext
	if cs == nil {
		t.Fatal("container securityContext missing")
	}
	if cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem: true expected")
	}
	if cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation: false expected")
	}
	if cs.Privileged != nil && *cs.Privileged {
		t.Error("privileged container")
	}
	if cs.Capabilities == nil || !slices.Equal(cs.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(cs.Capabilities.Add) > 0 {
		t.Error("capabilities: drop [ALL] and add none")
	}
	for _, vm := range c.VolumeMounts {
		if vm.MountPath == "/data" {
			t.Error("/data is mounted: an empty ALCARBON_DATABASE_URL would give each pod a private SQLite registry")
		}
	}
}

// Requests and limits are set, memory covers the peak RSS measured in
// BENCHMARKS.md with room to spare, and the image is pinned and pulled
// deliberately.
func TestResourcesAndImage(t *testing.T) {
	m := load(t)
	c := m.container(t)
	r := c.Resources
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := r.Requests[res]
		lim, okLim := r.Limits[res]
		if !okReq || !okLim {
			t.Errorf("resources: %s request and limit are both required", res)
			continue
		}
		if req.Cmp(lim) > 0 {
			t.Errorf("resources: %s request %s above the limit %s", res, req.String(), lim.String())
		}
	}
	memReq, memLim := r.Requests[corev1.ResourceMemory], r.Limits[corev1.ResourceMemory]
	if memReq.Cmp(memLim) != 0 {
		t.Errorf("memory request %s ≠ limit %s: a pod using more than it requested is the first evicted under memory pressure", memReq.String(), memLim.String())
	}

	bench, err := os.ReadFile(filepath.Join(repoRoot, "BENCHMARKS.md"))
	if err != nil {
		t.Fatal(err)
	}
	var peak int64
	for _, mm := range regexp.MustCompile(`[Pp]eak RSS[^:\n]*:\s*([0-9][0-9,]*) MiB`).FindAllSubmatch(bench, -1) {
		n, err := strconv.ParseInt(strings.ReplaceAll(string(mm[1]), ",", ""), 10, 64)
		if err == nil && n<<20 > peak {
			peak = n << 20
		}
	}
	if peak == 0 {
		t.Fatal(`BENCHMARKS.md states no "Peak RSS …: N MiB"; update this test to read the measured peak`)
	}
	want := resource.NewQuantity(peak+peak/5, resource.BinarySI) // 20 % above the measured peak
	if memLim.Cmp(*want) < 0 {
		t.Errorf("memory limit %s is less than 1.2 × the peak RSS measured in BENCHMARKS.md (%d MiB)", memLim.String(), peak>>20)
	}
	t.Logf("memory limit %s, measured peak RSS %d MiB", memLim.String(), peak>>20)

	if c.ImagePullPolicy != corev1.PullIfNotPresent && c.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("imagePullPolicy %q: set IfNotPresent (pinned tags) or Always", c.ImagePullPolicy)
	}
	repo, tag, ok := strings.Cut(c.Image, ":")
	if !ok || tag == "" || tag == "latest" || strings.Contains(tag, "/") {
		t.Errorf("image %q: name a tag other than latest", c.Image)
	}
	if !slices.ContainsFunc(m.kustom.Images, func(i kustomizeImage) bool { return i.Name == repo }) {
		t.Errorf("kustomization.yaml images: no entry for the container's image %q", repo)
	}
}

// kustomization.yaml applies every manifest but the Secret.
func TestKustomization(t *testing.T) {
	m := load(t)
	k := m.kustom
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		if f != kustomizeFile && f != secretFile {
			want = append(want, f)
		}
	}
	got := slices.Sorted(slices.Values(k.Resources))
	if !slices.Equal(got, want) {
		t.Errorf("kustomization.yaml resources %v, want %v (every manifest but %s)", got, want, secretFile)
	}
	if slices.Contains(k.Resources, secretFile) {
		t.Errorf("%s is listed: kubectl apply -k would overwrite the real Secret with placeholders", secretFile)
	}
	if m.files["Secret"] != secretFile {
		t.Errorf("the Secret is in %s, want %s (kept out of kustomization.yaml)", m.files["Secret"], secretFile)
	}
}
