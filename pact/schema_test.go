package pact

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// The PACT schemas the official conformance tool validates answers with:
// its bundled OpenAPI documents (src/schemas/openapi_v2_*.yaml of
// WBCSD's pact-conformance-service, vendored beside the project in
// ../shared/tools/pact-conformance, never copied into it).
// ALCARBON_PACT_SCHEMAS names another folder holding them.
func pactSchemaDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("ALCARBON_PACT_SCHEMAS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "tools", "pact-conformance", "src", "schemas")
	}
	if _, err := os.Stat(filepath.Join(dir, "openapi_v2_3.yaml")); err != nil {
		t.Fatalf("the conformance tool's schemas are not at %s (%v); set ALCARBON_PACT_SCHEMAS to their folder", dir, err)
	}
	return dir
}

var (
	schemaOnce  sync.Once
	schemaCache map[string]*jsonschema.Schema
	schemaErr   error
)

// pactSchema returns the compiled schema of components/schemas/<name> in
// the tool's v2.3 document, with formats asserted as the tool's ajv does
// (date-time, uuid); the OpenAPI-only formats it drops (decimal, urn,
// int32, double, float) are accepted here too (urn keeps its pattern).
func pactSchema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	dir := pactSchemaDir(t)
	schemaOnce.Do(func() {
		schemaCache = map[string]*jsonschema.Schema{}
		y, err := os.ReadFile(filepath.Join(dir, "openapi_v2_3.yaml"))
		if err != nil {
			schemaErr = err
			return
		}
		j, err := yaml.YAMLToJSON(y)
		if err != nil {
			schemaErr = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			schemaErr = err
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		for _, f := range []string{"decimal", "urn", "int32", "int64", "float", "double"} {
			c.RegisterFormat(&jsonschema.Format{Name: f, Validate: func(any) error { return nil }})
		}
		if schemaErr = c.AddResource("pact_v2_3.json", doc); schemaErr != nil {
			return
		}
		for _, n := range []string{"ProductFootprint", "Error"} {
			s, err := c.Compile("pact_v2_3.json#/components/schemas/" + n)
			if err != nil {
				schemaErr = err
				return
			}
			schemaCache[n] = s
		}
	})
	if schemaErr != nil {
		t.Fatalf("compiling the PACT v2.3 schema: %v", schemaErr)
	}
	return schemaCache[name]
}

// validateV23 checks that doc (a JSON value) is valid against the tool's
// v2.3 schema of the named component.
func validateV23(t testing.TB, name string, doc any) {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := pactSchema(t, name).Validate(inst); err != nil {
		t.Errorf("not a valid PACT v2.3 %s: %v\n%s", name, err, b)
	}
}

// TestSchemaCatchesInvalidFootprint: the validator used by the footprint
// tests rejects what the tool's schema rejects (a footprint without pcf, an
// id that is not a UUID), so a passing validation means something.
func TestSchemaCatchesInvalidFootprint(t *testing.T) {
	for _, doc := range []map[string]any{
		{"id": "not-a-uuid"},
		{"id": "3a6c14a7-4deb-498a-b5ea-16ce2535b576", "specVersion": "2.3.0"},
	} {
		b, _ := json.Marshal(doc)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := pactSchema(t, "ProductFootprint").Validate(inst); err == nil {
			t.Errorf("%s validated", b)
		}
	}
}
