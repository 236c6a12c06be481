#!/usr/bin/env bash
# scripts/test.sh — the one command that runs every check and test on a fresh
# Debian machine with Go. CI runs it too (.ci/run); `make test` is a shortcut.
#
#   scripts/test.sh [go test flags] [packages]     packages default to ./...
#   e.g. scripts/test.sh ./config/... -run TestLoad -v
#
# Steps:
#   1. apt-get install redis-server, postgresql, gcc (for -race), curl and jq
#      (for the README tour test) and libreoffice-calc-nogui (soffice, which
#      converts the CBAM communication file in TestCBAMFileLibreOffice) if missing
#      (as root, or through sudo).
#   2. gofmt, go vet ./... (and in deploy/kubernetes), API description freshness (docs/swagger.json,
#      swagger.yaml and openapi.json vs a fresh `go tool swag init` and its
#      OpenAPI 3.1 conversion, as `make docs` does) and validity: swagger-cli
#      validate docs/swagger.json (Swagger 2.0), redocly lint (spec rules)
#      docs/swagger.json and docs/openapi.json (OpenAPI 3.1). Installs
#      Debian's nodejs and npm if node is missing (as root, or through sudo;
#      Node.js >= 20.19 is needed) and tools/apicheck's pinned npm packages
#      with `npm ci` when tools/apicheck/node_modules is missing or
#      tools/apicheck/package-lock.json changed since the last install.
#   3. Start a private redis-server and a private PostgreSQL cluster on 127.0.0.1,
#      on their own ports, in a temp dir, without persistence; system services
#      are neither used nor touched. Both are stopped and the temp dir removed on
#      any exit.
#   4. go test -race -count=1 with these exported:
#        ALCARBON_TEST_REDIS_URL     redis://127.0.0.1:<redis port>/0
#        ALCARBON_TEST_DATABASE_URL  postgres://postgres@127.0.0.1:<pg port>/alcarbon_test?sslmode=disable
#      then the Kubernetes manifests' test (deploy/kubernetes, a Go module of
#      its own so that k8s.io/api stays out of go.mod, hence out of ./...):
#      go -C deploy/kubernetes test -count=1 ./... . It runs when no packages
#      are named, or alone when they name ./deploy/... (or ./deploy/kubernetes).
#   5. End-to-end tests of the web page in headless Chromium (scripts/e2e.sh:
#      installs chromium and e2e/'s npm packages if missing, starts the binary
#      on a free port, runs node --test e2e/*.test.mjs; screenshots go to
#      e2e/artifacts/). Runs only when no arguments are given.
#   6. PACT conformance (scripts/pact-conformance.sh): WBCSD's official
#      conformance tool, through the shared runner ../shared/tools/pact-conformance.sh
#      (never copied here), against a freshly built server with TLS (a
#      self-signed certificate made with openssl, installed if missing), a temp
#      registry and the tool's webhook as PACT partner, for V2.2 and V2.3;
#      prints one line per case and fails on any mandatory failure. Runs only
#      when no arguments are given.
#   7. Fuzz each Fuzz target of ./api for FUZZTIME (go test -fuzz), one after
#      the other (a crasher is written to api/testdata/fuzz/<Target>/; a
#      "context deadline exceeded" that wrote none, Go 1.26's fuzzing race
#      golang/go#75804, is retried once).
#
# Environment:
#   ALCARBON_TEST_REDIS_PORT  redis port, default 6390
#   ALCARBON_TEST_PG_PORT     PostgreSQL port, default 5440
#                             (a busy default port is skipped for the next free one;
#                             a busy port given explicitly is an error)
#   SKIP_LINT=1               skip step 2 (gofmt, vet, API descriptions). For local iteration
#                             while other packages are in progress only; CI never sets it.
#   E2E=0                     skip step 5 (browser tests). For local iteration
#                             only; CI never sets it.
#   PACT_CONFORMANCE=report   step 6 prints the conformance results but does not fail
#                             on mandatory failures (while fixes are in flight); the
#                             default (unset or fail) fails.
#   PACT_CONFORMANCE_TOOL     the shared conformance runner, default
#                             ../shared/tools/pact-conformance.sh beside the repository
#   FUZZTIME=3s               how long step 7 fuzzes each Fuzz target in ./api
#                             (go test -fuzztime); FUZZTIME=0 skips step 7. Step 7
#                             runs only when no arguments are given.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

start_time=$SECONDS
step="setup"
tmp=""
redis_pid=""
pg_data=""

log() { printf '==> %s\n' "$*"; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh # as_root, apt_install, stop_process, wait_ready, as_pg, pg_bin


port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port NAME DEFAULT prints the port to use: $NAME if set (must be free),
# else DEFAULT or the next free port above it.
pick_port() {
	local name=$1 port=${!1:-$2} i
	if [[ -n ${!name:-} ]]; then
		if port_busy "$port"; then
			die "port $port ($name) is in use; choose another one"
		fi
		echo "$port"
		return
	fi
	for ((i = 0; i < 50; i++)); do
		if ! port_busy "$port"; then
			echo "$port"
			return
		fi
		port=$((port + 1))
	done
	die "no free port in $2..$((port - 1)); set $name"
}

cleanup() {
	local rc=$?
	set +e
	if [[ -n $redis_pid ]] && kill -0 "$redis_pid" 2>/dev/null; then
		kill "$redis_pid" 2>/dev/null
		wait "$redis_pid" 2>/dev/null
	fi
	if [[ -n $pg_data && -f $pg_data/postmaster.pid ]]; then
		as_pg "$PG_BIN/pg_ctl" -D "$pg_data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
			kill -9 "$(head -n 1 "$pg_data/postmaster.pid")" 2>/dev/null
	fi
	if [[ -n $tmp ]]; then
		rm -rf "$tmp"
	fi
	local took=$((SECONDS - start_time))
	if [[ $rc -eq 0 ]]; then
		printf '==> PASS: all checks and tests passed (%ds)\n' "$took"
	else
		printf '==> FAIL: %s failed (exit %d, %ds)\n' "$step" "$rc" "$took"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. tools -----------------------------------------------------------------
step="installing dependencies"
command -v go >/dev/null || die "go is not on PATH; install Go $(sed -n 's/^go //p' go.mod) first"
missing=()
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	missing+=(redis-server)
fi
if [[ -z $(pg_bin) ]]; then
	missing+=(postgresql)
fi
if ! command -v gcc >/dev/null; then # go test -race needs cgo
	missing+=(gcc libc6-dev)
fi
for tool in curl jq; do # the README tour test runs the README's curl blocks
	command -v "$tool" >/dev/null || missing+=("$tool")
done
if ! command -v soffice >/dev/null; then # TestCBAMFileLibreOffice converts the CBAM file to CSV
	missing+=(libreoffice-calc-nogui)
fi
apt_install "${missing[@]}"
PG_BIN=$(pg_bin)
[[ -n $PG_BIN ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
export CGO_ENABLED=1

# --- 2. gofmt, vet, Swagger ---------------------------------------------------
base_tmp=${TMPDIR:-/tmp}
if [[ $EUID -eq 0 ]]; then
	base_tmp=/tmp # the postgres user must be able to reach the cluster dir
fi
tmp=$(mktemp -d "$base_tmp/alcarbon-test.XXXXXX")
chmod 755 "$tmp"

if [[ ${SKIP_LINT:-} == 1 ]]; then
	log "SKIP_LINT=1: skipping gofmt, go vet and the API description checks"
else
	step="gofmt"
	log "gofmt"
	# Tracked and untracked (not ignored) files; vendor/ and testdata/ are not
	# ours to format, as for `go fmt ./...`.
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		list_go() { git ls-files -co --exclude-standard -- '*.go'; }
	else
		list_go() { find . -name '*.go' -not -path './.git/*' | sed 's|^\./||'; }
	fi
	gofiles=()
	while IFS= read -r f; do
		[[ -f $f ]] && gofiles+=("$f")
	done < <(list_go | grep -Ev '(^|/)(vendor|testdata)/' || true)
	if ((${#gofiles[@]})); then
		unformatted=$(gofmt -l -- "${gofiles[@]}") || die "gofmt could not parse the files above"
		if [[ -n $unformatted ]]; then
			printf '%s\n' "$unformatted" >&2
			die "these files are not gofmt-ed: run make fmt"
		fi
	fi

	step="go vet"
	log "go vet ./..."
	go vet ./...
	log "go -C deploy/kubernetes vet ./..."
	go -C deploy/kubernetes vet ./...

	step="Swagger check"
	if [[ ! -f main.go ]]; then
		log "Swagger check SKIPPED: main.go does not exist yet"
	else
		log "Swagger check (go tool swag init, tools/apicheck/openapi31)"
		# The commands of make docs, into a temp dir. docs/docs.go is not
		# generated: it embeds the three files compared here.
		swag_out=$(cd "$tmp" && pwd)/swag
		if ! go tool swag init -g main.go -o "$swag_out" --parseInternal --outputTypes json,yaml >"$tmp/swag.log" 2>&1; then
			cat "$tmp/swag.log" >&2
			die "go tool swag init failed"
		fi
		if ! go -C tools/apicheck/openapi31 run . "$swag_out/swagger.json" "$swag_out/openapi.json"; then
			die "tools/apicheck/openapi31 (Swagger 2.0 to OpenAPI 3.1) failed"
		fi
		for f in swagger.json swagger.yaml openapi.json; do
			if [[ ! -f docs/$f ]] || ! diff -u "docs/$f" "$swag_out/$f" >"$tmp/swag.diff"; then
				head -n 60 "$tmp/swag.diff" >&2
				die "docs/$f is stale: run make docs"
			fi
		done

		# Client generators and API gateways refuse an invalid description:
		# validate both with validators pinned in tools/apicheck/package-lock.json.
		step="API description validation"
		if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
			apt_install nodejs npm
		fi
		node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
			die "node $(node --version) is too old for tools/apicheck (@redocly/cli); need Node.js 20.19 or newer"
		lock_sum=$(sha256sum tools/apicheck/package-lock.json | cut -d' ' -f1)
		stamp=tools/apicheck/node_modules/.alcarbon-lock.sha256
		if [[ ! -f $stamp || $(<"$stamp") != "$lock_sum" ]]; then
			log "npm ci in tools/apicheck"
			(cd tools/apicheck && npm ci --no-audit --no-fund --loglevel=error)
			echo "$lock_sum" >"$stamp"
		fi
		log "swagger-cli validate docs/swagger.json"
		tools/apicheck/node_modules/.bin/swagger-cli validate docs/swagger.json
		log "redocly lint docs/swagger.json docs/openapi.json"
		REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
			tools/apicheck/node_modules/.bin/redocly lint --config tools/apicheck/redocly.yaml --format stylish \
			docs/swagger.json docs/openapi.json
	fi
fi

# --- 3. private Redis and PostgreSQL ------------------------------------------
step="starting Redis"
redis_port=$(pick_port ALCARBON_TEST_REDIS_PORT 6390)
log "redis-server on 127.0.0.1:$redis_port"
mkdir "$tmp/redis"
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$tmp/redis" \
	--save '' --appendonly no --daemonize no --protected-mode yes \
	--logfile "$tmp/redis/redis.log" &
redis_pid=$!

step="starting PostgreSQL"
pg_port=$(pick_port ALCARBON_TEST_PG_PORT 5440)
log "PostgreSQL ($PG_BIN) on 127.0.0.1:$pg_port"
pg_dir=$tmp/pg # holds the cluster, its log and its unix socket
mkdir "$pg_dir"
if [[ $EUID -eq 0 ]]; then
	chown postgres: "$pg_dir"
fi
if ! as_pg "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C \
	--no-sync >"$tmp/initdb.log" 2>&1; then
	cat "$tmp/initdb.log" >&2
	die "initdb failed"
fi
pg_data=$pg_dir/data
if ! as_pg "$PG_BIN/pg_ctl" -D "$pg_data" -l "$pg_dir/server.log" -w -t 60 \
	-o "-p $pg_port -k '$pg_dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
	start >/dev/null; then
	cat "$pg_dir/server.log" >&2
	die "PostgreSQL did not start"
fi

step="waiting for Redis and PostgreSQL"
for ((i = 0; ; i++)); do
	if [[ $(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null) == PONG ]]; then
		break
	fi
	if ((i >= 100)) || ! kill -0 "$redis_pid" 2>/dev/null; then
		cat "$tmp/redis/redis.log" >&2
		die "redis-server did not answer on port $redis_port"
	fi
	sleep 0.1
done
for ((i = 0; ; i++)); do
	if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
		break
	fi
	if ((i >= 100)); then
		cat "$pg_dir/server.log" >&2
		die "PostgreSQL did not answer on port $pg_port"
	fi
	sleep 0.1
done
"$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres alcarbon_test

export ALCARBON_TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export ALCARBON_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/alcarbon_test?sslmode=disable"
log "ALCARBON_TEST_REDIS_URL=$ALCARBON_TEST_REDIS_URL"
log "ALCARBON_TEST_DATABASE_URL=$ALCARBON_TEST_DATABASE_URL"

# --- 4. tests -------------------------------------------------------------------
# Packages default to ./... unless the arguments name some (before -args).
# ./deploy/... (the module in deploy/kubernetes) is not part of the main
# module: naming it runs that module's tests instead; the default runs both.
nargs=$#
root_pkgs=()
deploy_test=0
flags=()
in_args=0
for a in "$@"; do
	if ((in_args)); then
		flags+=("$a")
		continue
	fi
	case $a in
	-args)
		in_args=1
		flags+=("$a")
		;;
	./deploy | ./deploy/ | ./deploy/... | ./deploy/kubernetes | ./deploy/kubernetes/ | ./deploy/kubernetes/... | alcarbon/deploy/kubernetes | alcarbon/deploy/kubernetes/...)
		deploy_test=1
		;;
	. | ./* | ../* | alcarbon | alcarbon/*) root_pkgs+=("$a") ;;
	*) flags+=("$a") ;;
	esac
done
if ((!${#root_pkgs[@]} && !deploy_test)); then
	root_pkgs=(./...)
	deploy_test=1
fi
if ((${#root_pkgs[@]})); then
	step="go test"
	log "go test -race -count=1 ${root_pkgs[*]} ${flags[*]}"
	go test -race -count=1 "${root_pkgs[@]}" "${flags[@]}"
fi
if ((deploy_test)); then
	# No -race: the manifests' test reads files in one goroutine, and
	# k8s.io/api takes long to build instrumented.
	step="Kubernetes manifests test"
	log "go -C deploy/kubernetes test -count=1 ./... ${flags[*]}"
	go -C deploy/kubernetes test -count=1 ./... "${flags[@]}"
fi

# --- 5. browser tests ---------------------------------------------------------
if ((nargs)) || [[ ${E2E:-} == 0 ]]; then
	log "browser tests SKIPPED (E2E=${E2E:-}, $nargs arguments)"
else
	step="browser tests"
	log "scripts/e2e.sh"
	scripts/e2e.sh
fi

# --- 6. PACT conformance ------------------------------------------------------
if ((nargs)); then
	log "PACT conformance SKIPPED ($nargs arguments)"
else
	step="PACT conformance"
	log "scripts/pact-conformance.sh (PACT_CONFORMANCE=${PACT_CONFORMANCE:-fail})"
	scripts/pact-conformance.sh
fi

# --- 7. fuzzing ---------------------------------------------------------------
# One instrumented test binary, run once per target: go test -fuzz would
# link it again for each. Run from api/ so that a failing input is written
# to api/testdata/fuzz/<Target>/; the corpus cache is go test's own.
fuzztime=${FUZZTIME:-3s}
if ((nargs)) || [[ $fuzztime == 0 || $fuzztime == 0s ]]; then
	log "fuzzing SKIPPED (FUZZTIME=$fuzztime, $nargs arguments)"
else
	step="fuzzing"
	fuzz_start=$SECONDS
	log "go test -c -fuzz=. ./api"
	go test -c -fuzz=. -o "$tmp/api.fuzz.test" ./api
	fuzzcache="$(go env GOCACHE)/fuzz/alcarbon/api"
	targets=$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing\.F).*/\1/p' api/*_test.go)
	fuzz_one() { # target → the fuzz binary's status; its output in $tmp/fuzz.log
		(cd api && "$tmp/api.fuzz.test" -test.run='^$' -test.fuzz="^$1\$" -test.fuzztime="$fuzztime" \
			-test.fuzzcachedir="$fuzzcache") >"$tmp/fuzz.log" 2>&1
	}
	# The failing inputs a target has written (0 when it has no folder yet).
	inputs() { { find "api/testdata/fuzz/$1" -type f 2>/dev/null || true; } | wc -l; }
	for target in $targets; do
		log "fuzz $target for $fuzztime"
		before=$(inputs "$target")
		fuzz_one "$target" && continue
		# Go 1.26's fuzz coordinator can fail a target at the -fuzztime
		# deadline with "context deadline exceeded" and no failing input
		# (golang/go#75804, fixed in Go 1.27): retry such a failure once. A
		# target that wrote a failing input fails at once.
		if grep -q "context deadline exceeded" "$tmp/fuzz.log" && (($(inputs "$target") == before)); then
			log "fuzz $target: context deadline exceeded with no failing input (golang/go#75804); once more"
			fuzz_one "$target" && continue
		fi
		cat "$tmp/fuzz.log" >&2
		die "fuzz target $target failed; the input is in api/testdata/fuzz/$target/"
	done
	log "fuzzing took $((SECONDS - fuzz_start))s"
fi
