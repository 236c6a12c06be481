#!/usr/bin/env bash
# scripts/e2e.sh — end-to-end tests of the web page in headless Chromium.
# scripts/test.sh runs it (step 5); it also runs on its own:
#
#   scripts/e2e.sh [node --test flags]     e.g. scripts/e2e.sh --test-name-pattern=buyers
#
# Steps:
#   1. apt-get install chromium if /usr/bin/chromium is missing, a CJK font
#      (fonts-wqy-microhei) if none is installed, and Debian's nodejs and npm
#      if node is missing (as root, or through sudo); `npm ci` in e2e/ when e2e/node_modules is missing or
#      e2e/package-lock.json changed since the last install. Node >= 20 must be
#      on PATH. Playwright never downloads a browser: playwright-core drives
#      the Debian chromium.
#   2. go build the binary into a temp dir and start it on a free loopback
#      port with a temp SQLite registry and no Redis; wait for /readyz.
#   3. Create an API key (`alcarbon keys create`) for the tests, which publish
#      a declaration with it.
#   4. node --test e2e/*.test.mjs with E2E_BASE_URL, E2E_API_KEY,
#      E2E_ARTIFACTS and E2E_CHROMIUM exported.
# The server is stopped and the temp dir removed on any exit.
#
# Environment:
#   E2E_ARTIFACTS   folder for screenshots (<test>.png, <test>-failure.png)
#                   and the server log, default e2e/artifacts; emptied at
#                   the start of each run (another folder: only of *.png and
#                   server.log)
#   E2E_CHROMIUM    the Chromium binary, default /usr/bin/chromium
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

start_time=$SECONDS
step="setup"
tmp=""
server_pid=""

log() { printf '==> e2e: %s\n' "$*"; }
die() {
	printf 'error: e2e: %s\n' "$*" >&2
	exit 1
}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh # as_root, apt_install, stop_process, wait_ready

cleanup() {
	local rc=$?
	set +e
	stop_process "$server_pid"
	if [[ -n $tmp && -f $tmp/server.log && -d ${artifacts:-} ]]; then
		cp "$tmp/server.log" "$artifacts/server.log"
	fi
	if [[ -n $tmp ]]; then
		rm -rf "$tmp"
	fi
	local took=$((SECONDS - start_time))
	if [[ $rc -eq 0 ]]; then
		printf '==> e2e: PASS (%ds; artefacts in %s)\n' "$took" "${artifacts:-?}"
	else
		printf '==> e2e: FAIL: %s failed (exit %d, %ds; artefacts in %s)\n' "$step" "$rc" "$took" "${artifacts:-?}"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. Chromium, Node, npm packages --------------------------------------------
step="installing dependencies"
chromium=${E2E_CHROMIUM:-/usr/bin/chromium}
packages=()
if [[ ! -x $chromium ]]; then
	[[ -z ${E2E_CHROMIUM:-} ]] || die "E2E_CHROMIUM=$chromium is not an executable"
	packages+=(chromium)
fi
# A CJK font, so that the Chinese page renders in the screenshots.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
	packages+=(fonts-wqy-microhei)
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	packages+=(nodejs npm) # Debian's; the version check below says if it is too old
fi
apt_install "${packages[@]}"
[[ -x $chromium ]] || die "apt-get installed chromium, but $chromium is missing"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || die "node $(node --version) is too old; need Node.js 20 or newer"

lock_sum=$(sha256sum e2e/package-lock.json | cut -d' ' -f1)
stamp=e2e/node_modules/.alcarbon-lock.sha256
if [[ ! -f $stamp || $(<"$stamp") != "$lock_sum" ]]; then
	log "npm ci"
	(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
	echo "$lock_sum" >"$stamp"
fi

artifacts=${E2E_ARTIFACTS:-$root/e2e/artifacts}
if [[ -z ${E2E_ARTIFACTS:-} ]]; then
	rm -rf "$artifacts"
elif [[ -d $artifacts ]]; then # someone else's folder: remove only what a run writes
	find "$artifacts" -maxdepth 1 -type f \( -name '*.png' -o -name server.log \) -delete
fi
mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)

# --- 2. build and start the server ------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/alcarbon-e2e.XXXXXX")
step="go build"
log "go build"
go build -o "$tmp/alcarbon" .

step="starting the server"
# A free port from the kernel; the short race until the server binds it is
# harmless on a test machine.
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
base_url="http://127.0.0.1:$port"
mkdir "$tmp/data"
server_env=(
	ALCARBON_ADDR="127.0.0.1:$port"
	ALCARBON_DATA_DIR="$tmp/data"
	ALCARBON_DATABASE_URL=
	ALCARBON_REDIS_URL=
	ALCARBON_CORS_ORIGINS=
	ALCARBON_LOG_LEVEL=warn
)
log "alcarbon on $base_url (registry in a temp dir, no Redis)"
env "${server_env[@]}" "$tmp/alcarbon" >"$tmp/server.log" 2>&1 &
server_pid=$!
wait_ready "$base_url/readyz" "$server_pid" "$tmp/server.log"

# --- 3. an API key for publishing ---------------------------------------------------
step="creating an API key"
env "${server_env[@]}" "$tmp/alcarbon" keys create --org "Shanxi E2E Smelter" >"$tmp/key.txt"
api_key=$(sed -n 's/^api key  *//p' "$tmp/key.txt")
[[ -n $api_key ]] || {
	cat "$tmp/key.txt" >&2
	die "no 'api key' line in the output of alcarbon keys create"
}

# --- 4. the tests -------------------------------------------------------------------
step="node --test"
log "node --test e2e/*.test.mjs"
tests_start=$SECONDS
E2E_BASE_URL=$base_url E2E_API_KEY=$api_key E2E_ARTIFACTS=$artifacts E2E_CHROMIUM=$chromium \
	TMPDIR=$tmp node --test --test-reporter=spec "$@" e2e/*.test.mjs
log "tests took $((SECONDS - tests_start))s"
