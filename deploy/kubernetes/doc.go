// Package kubernetes holds no code: its test (manifests_test.go) validates
// the manifests in this folder against the Kubernetes API types and against
// alcarbon's own configuration, routes, Dockerfile and benchmarks.
//
// It is a Go module of its own, requiring the main module through
// `replace alcarbon => ../..`, so that k8s.io/api stays out of the main
// module's go.mod (and out of the image's `go mod download`). After a change
// to the main module's requirements, run `go mod tidy` here too if `go test`
// says go.mod needs updates.
package kubernetes
