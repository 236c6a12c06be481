// Package docs holds the API descriptions generated from the handler
// annotations (`make docs`, checked by scripts/test.sh):
//
//   - swagger.json, swagger.yaml: Swagger 2.0, by `go tool swag init`
//     (--outputTypes json,yaml); served at /swagger/doc.json.
//   - openapi.json: OpenAPI 3.1, converted from swagger.json by
//     tools/apicheck/openapi31; served at /openapi.json.
//
// This file is not generated. swag's generated docs.go would serve a
// template that always writes "host": "", which Swagger 2.0 forbids; this
// one registers swagger.json with swag as it is, so /swagger/doc.json is
// byte for byte the file that scripts/test.sh validates.
package docs

import (
	_ "embed"

	"github.com/swaggo/swag"
)

// Swagger is the Swagger 2.0 description (swagger.json).
//
//go:embed swagger.json
var Swagger []byte

// OpenAPI is the OpenAPI 3.1 description (openapi.json).
//
//go:embed openapi.json
var OpenAPI []byte

// doc serves a description to echo-swagger through swag's registry.
type doc []byte

func (d doc) ReadDoc() string { return string(d) }

func init() {
	swag.Register(swag.Name, doc(Swagger))
}
