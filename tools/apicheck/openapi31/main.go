// Command openapi31 converts the Swagger 2.0 document that swag generates
// from the handler annotations (docs/swagger.json) into the OpenAPI 3.1
// document served at /openapi.json (docs/openapi.json):
//
//	go -C tools/apicheck/openapi31 run . ../../../docs/swagger.json ../../../docs/openapi.json
//
// `make docs` and the Swagger check of scripts/test.sh run it. The
// conversion is kin-openapi's (openapi2conv: 2.0 to 3.0, then openapi3conv:
// the 3.0 forms rewritten into their 3.1 equivalents); this command adds
// only two steps: a parameter's x-example (Swagger 2.0 has no example on
// non-body parameters) becomes its example, typed after its schema, and the
// version is 3.1.0. The output is deterministic: keys sorted, except the top
// level, which follows the specification's order.
//
// It is a module of its own so that its dependencies stay out of alcarbon's
// go.mod and binary.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3conv"
)

// version is the OpenAPI version written. openapi3conv targets the newest
// 3.x; 3.1 to 3.2 is additive, so its output is 3.1 as long as nothing of
// 3.2 is used, and 3.1 is what client generators and gateways read today.
const version = "3.1.0"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: openapi31 SWAGGER_2_JSON OPENAPI_3_1_JSON")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "openapi31:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(src, &doc2); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if doc2.Swagger != "2.0" {
		return fmt.Errorf("%s: swagger is %q, want 2.0", in, doc2.Swagger)
	}
	doc, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return fmt.Errorf("converting %s: %w", in, err)
	}
	if err := parameterExamples(doc); err != nil {
		return err
	}
	openapi3conv.Upgrade(doc)
	doc.OpenAPI = version
	b, err := encode(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

// parameterExamples turns each parameter's x-example into its example.
func parameterExamples(doc *openapi3.T) error {
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, ref := range op.Parameters {
				p := ref.Value
				if p == nil || p.Extensions["x-example"] == nil {
					continue
				}
				v, err := typed(p.Extensions["x-example"], p.Schema)
				if err != nil {
					return fmt.Errorf("%s %s: parameter %s: x-example: %w", method, path, p.Name, err)
				}
				p.Example = v
				delete(p.Extensions, "x-example")
			}
		}
	}
	return nil
}

// typed converts a string example (swag writes extension values as
// strings) to the type of the parameter's schema.
func typed(v any, schema *openapi3.SchemaRef) (any, error) {
	s, ok := v.(string)
	if !ok || schema == nil || schema.Value == nil || schema.Value.Type == nil {
		return v, nil
	}
	switch t := schema.Value.Type; {
	case t.Is(openapi3.TypeInteger):
		return strconv.ParseInt(s, 10, 64)
	case t.Is(openapi3.TypeNumber):
		return strconv.ParseFloat(s, 64)
	case t.Is(openapi3.TypeBoolean):
		return strconv.ParseBool(s)
	}
	return s, nil
}

// topLevel is the order of the top-level fields in the specification;
// other fields (extensions) follow, sorted.
var topLevel = []string{"openapi", "info", "jsonSchemaDialect", "servers", "security", "tags", "externalDocs", "paths", "webhooks", "components"}

// encode writes doc as indented JSON without HTML escaping.
func encode(doc *openapi3.T) ([]byte, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		if !slices.Contains(topLevel, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out bytes.Buffer
	out.WriteString("{")
	sep := "\n"
	for _, k := range append(slices.Clone(topLevel), keys...) {
		raw, ok := fields[k]
		if !ok {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber() // numbers as written
		var v any
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		var val bytes.Buffer
		e := json.NewEncoder(&val)
		e.SetEscapeHTML(false)
		e.SetIndent("    ", "    ")
		if err := e.Encode(v); err != nil {
			return nil, err
		}
		name, _ := json.Marshal(k)
		fmt.Fprintf(&out, "%s    %s: %s", sep, name, bytes.TrimRight(val.Bytes(), "\n"))
		sep = ",\n"
	}
	out.WriteString("\n}\n")
	return out.Bytes(), nil
}
