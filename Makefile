# Development and CI targets. CI runs `make test` (.ci/run).
# Extra arguments for go test: make test ARGS='./config/... -run TestLoad'
SHELL := /usr/bin/env bash
GOFILES = $(shell find . -name '*.go' -not -path './.git/*' -not -path './vendor/*' -not -path '*/testdata/*')

.PHONY: help run build test e2e conformance screenshots bench bench-work reliability replicas docs fmt

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: ## serve on :8080 with the embedded SQLite registry and in-process cache
	go run .

build: ## build the static alcarbon binary
	CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o alcarbon .

test: ## every check and test, with private Redis and PostgreSQL (scripts/test.sh)
	scripts/test.sh $(ARGS)

e2e: ## the browser tests alone (scripts/e2e.sh): headless Chromium against a fresh binary
	scripts/e2e.sh

conformance: ## WBCSD's PACT conformance tool (shared runner) against a fresh server over TLS, V2.2 and V2.3 (scripts/pact-conformance.sh)
	scripts/pact-conformance.sh

screenshots: ## run the browser tests, then copy the README's screenshots (1440 and 390 px, English and Chinese) into e2e/screenshots/
	scripts/e2e.sh
	mkdir -p e2e/screenshots
	for lang in en zh; do for w in 1440 390; do \
		cp e2e/artifacts/plant-$$lang-$$w.png e2e/artifacts/scenarios-$$lang-$$w.png e2e/artifacts/buyers-$$lang-$$w.png e2e/artifacts/batch-$$lang-$$w.png e2e/screenshots/; \
	done; done

bench: ## engine and handler benchmarks, gzip and brotli on the reference answers, then the wrk load run against the echo baselines (BENCHMARKS.md)
	go test -run='^$$' -bench=. -benchmem ./calc ./api
	cd bench/compress && go test -run='^$$' -bench=. -cpu=1
	bench/load.sh

bench-work: ## the worst accepted request per shape (CPU), four at once (peak RSS), a cheap request beside heavy ones (bench/work.sh)
	bench/work.sh

reliability: ## load and fault tests: Redis killed, PostgreSQL stopped, SIGTERM under load (bench/reliability.sh)
	bench/reliability.sh

replicas: ## three replicas behind HAProxy, one Redis, one PostgreSQL: shared token, registry, cache and rate limit, a replica killed and one restarted under load, throughput 3 vs 1 (bench/replicas.sh)
	bench/replicas.sh

docs: ## regenerate the API descriptions in docs/ from the handler annotations: Swagger 2.0 (swag), then OpenAPI 3.1 (tools/apicheck/openapi31)
	go tool swag init -g main.go -o docs --parseInternal --outputTypes json,yaml
	go -C tools/apicheck/openapi31 run . "$(CURDIR)/docs/swagger.json" "$(CURDIR)/docs/openapi.json"

fmt: ## gofmt every Go file
	gofmt -w $(GOFILES)
