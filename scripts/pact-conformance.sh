#!/usr/bin/env bash
# scripts/pact-conformance.sh — WBCSD's official PACT conformance tool
# (pact-conformance-service) against a freshly started alcarbon over TLS.
# scripts/test.sh runs it (step 6) when run without arguments; it also runs on
# its own:
#
#   scripts/pact-conformance.sh [VERSION...]     versions default to V2.2 V2.3
#
# The tool is not part of this repository: the shared runner
# (../shared/tools/pact-conformance.sh beside the repository, or
# $PACT_CONFORMANCE_TOOL) is called, never copied. It needs node and npm and
# installs the tool's packages once into ~/.cache/pact-conformance.
#
# Steps:
#   1. apt-get install openssl, curl, jq, and Debian's nodejs and npm, if missing (as
#      root, or through sudo).
#   2. go build the binary into a temp dir; make a self-signed certificate
#      for 127.0.0.1 and localhost there with openssl.
#   3. In a temp SQLite registry (ALCARBON_DATA_DIR in the temp dir): an
#      organisation, a PACT client for it, and the tool's webhook
#      (http://127.0.0.1:<free port>, test_client_id / test_client_secret)
#      as its PACT partner, so that the asynchronous cases (13, 14.B) are
#      answered.
#   4. Start the server with ALCARBON_TLS_CERT_FILE/KEY_FILE on a free
#      loopback port; publish a public primary and a public product
#      declaration with an API key of the organisation.
#   5. Run the shared runner for each version against https://127.0.0.1:<port>
#      and print its lines (one per case: RESULT, key, status,
#      mandatory|optional, name, error; then "pact: N passed, M failed").
# Exits 1 when a version reports a mandatory failure (unless
# PACT_CONFORMANCE=report). The server is stopped and the temp dir removed on
# any exit.
#
# Environment:
#   PACT_CONFORMANCE=report   print the results but do not fail on mandatory
#                             failures (while fixes are in flight); the
#                             default, PACT_CONFORMANCE=fail, fails.
#   PACT_CONFORMANCE_TOOL     the shared runner, default
#                             ../shared/tools/pact-conformance.sh beside the repository
#   PACT_CONFORMANCE_WAIT     seconds the runner waits for the asynchronous
#                             answers, default 25
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

start_time=$SECONDS
step="setup"
tmp=""
server_pid=""

log() { printf '==> pact: %s\n' "$*"; }
die() {
	printf 'error: pact: %s\n' "$*" >&2
	exit 1
}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh # as_root, apt_install, stop_process, wait_ready

cleanup() {
	local rc=$?
	set +e
	stop_process "$server_pid"
	if [[ $rc -ne 0 && -f $tmp/server.log ]]; then
		printf '==> pact: last lines of the server log:\n' >&2
		tail -n 20 "$tmp/server.log" >&2
	fi
	if [[ -n $tmp ]]; then
		rm -rf "$tmp"
	fi
	local took=$((SECONDS - start_time))
	if [[ $rc -eq 0 ]]; then
		printf '==> pact: %s (%ds)\n' "${verdict:-PASS}" "$took"
	else
		printf '==> pact: FAIL: %s (exit %d, %ds)\n' "$step" "$rc" "$took"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mode=${PACT_CONFORMANCE:-fail}
[[ $mode == fail || $mode == report ]] || die "PACT_CONFORMANCE=$mode; use fail (the default) or report"
versions=("$@")
((${#versions[@]})) || versions=(V2.2 V2.3)
runner=${PACT_CONFORMANCE_TOOL:-$root/../shared/tools/pact-conformance.sh}
[[ -x $runner ]] || die "the conformance runner $runner is missing or not executable; set PACT_CONFORMANCE_TOOL"

# --- 1. openssl, node, npm ------------------------------------------------------
step="installing dependencies"
packages=()
command -v openssl >/dev/null || packages+=(openssl)
for tool in curl jq; do
	command -v "$tool" >/dev/null || packages+=("$tool")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	packages+=(nodejs npm)
fi
apt_install "${packages[@]}"

# --- 2. binary and certificate --------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/alcarbon-pact.XXXXXX")
step="go build"
log "go build"
go build -o "$tmp/alcarbon" .

step="making a certificate"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=alcarbon conformance" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>"$tmp/openssl.log" || {
	cat "$tmp/openssl.log" >&2
	die "openssl could not make a self-signed certificate"
}

# free_port prints a port the kernel says is free on loopback; the short race
# until it is bound is harmless on a test machine.
free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
port=$(free_port)
hook_port=$(free_port)
while [[ $hook_port == "$port" ]]; do hook_port=$(free_port); done
base_url="https://127.0.0.1:$port"
hook_url="http://127.0.0.1:$hook_port"
org="PACT Conformance Smelter"
mkdir "$tmp/data"
server_env=(
	ALCARBON_ADDR="127.0.0.1:$port"
	ALCARBON_DATA_DIR="$tmp/data"
	ALCARBON_DATABASE_URL=
	ALCARBON_REDIS_URL=
	ALCARBON_LOG_LEVEL=info
	ALCARBON_TLS_CERT_FILE="$tmp/cert.pem"
	ALCARBON_TLS_KEY_FILE="$tmp/key.pem"
	ALCARBON_TRUSTED_PROXIES=
	ALCARBON_PUBLIC_URL=
	# The tool's webhook is on loopback, which partner checks refuse otherwise.
	ALCARBON_PACT_ALLOW_PRIVATE_PARTNERS=1
)
alcarbon() { env "${server_env[@]}" "$tmp/alcarbon" "$@"; }

# --- 3. organisation, PACT client, the webhook as partner -----------------------
step="creating the PACT client and partner"
alcarbon pact-clients create --org "$org" >"$tmp/client.txt"
client_id=$(sed -n 's/^client id  *//p' "$tmp/client.txt")
client_secret=$(sed -n 's/^client secret  *//p' "$tmp/client.txt")
[[ -n $client_id && -n $client_secret ]] || {
	cat "$tmp/client.txt" >&2
	die "no client id or client secret in the output of alcarbon pact-clients create"
}
alcarbon pact-partners add --org "$org" --source "$hook_url" --base-url "$hook_url" \
	--client-id test_client_id --client-secret test_client_secret >"$tmp/partner.txt" || {
	cat "$tmp/partner.txt" >&2
	die "alcarbon pact-partners add failed"
}
alcarbon keys create --org "$org" >"$tmp/key.txt"
api_key=$(sed -n 's/^api key  *//p' "$tmp/key.txt")
[[ -n $api_key ]] || die "no api key in the output of alcarbon keys create"

# --- 4. the server over TLS, two public declarations -----------------------------
step="starting the server"
log "alcarbon on $base_url (self-signed certificate, registry in a temp dir); webhook partner $hook_url"
# Started directly, not through the alcarbon function: a function in the
# background is a subshell, and stopping its pid would leave the server
# running.
env "${server_env[@]}" "$tmp/alcarbon" >"$tmp/server.log" 2>&1 &
server_pid=$!
wait_ready "$base_url/readyz" "$server_pid" "$tmp/server.log" --cacert "$tmp/cert.pem"

step="publishing declarations"
# publish BODY prints the new declaration's id.
publish() {
	local code
	code=$(curl -sS --cacert "$tmp/cert.pem" -o "$tmp/publish.json" -w '%{http_code}' "$base_url/v1/declarations" \
		-H "Authorization: Bearer $api_key" -H 'Content-Type: application/json' -d "$1")
	[[ $code == 201 ]] || {
		cat "$tmp/publish.json" >&2
		die "POST /v1/declarations answered $code"
	}
	jq -r .id "$tmp/publish.json"
}
primary=$(publish '{"kind": "primary", "product_name": "P1020 ingot", "product_ids": ["urn:gtin:06901234567892"],
  "reference_period": {"start": "2024-01-01", "end": "2024-12-31"}, "visibility": "public",
  "request": {"region": "CN-SX", "year": 2023, "electricity_basis": "co2_operational", "production_t": 300000,
    "electrolysis": {"technology": "PFPB_M", "ac_kwh_per_t": 13200},
    "electricity": {"sources": [{"kind": "captive", "fuel": "coal", "share": 0.6, "coal_gce_per_kwh": 320},
      {"kind": "grid", "share": 0.4}]}}}')
[[ -n $primary ]] || die "no id in the answer to the primary declaration"
publish '{"kind": "product", "product_name": "6063 window profile", "product_ids": ["urn:gtin:06901234567908"],
  "reference_period": {"start": "2024-01-01", "end": "2024-12-31"}, "visibility": "public",
  "request": {"product": "building_profile", "region": "CN-SX", "year": 2023,
    "metal": {"declaration_id": "'"$primary"'"}}}' >/dev/null
log "published primary $primary and a product declaration made from it"

# --- 5. the conformance tool --------------------------------------------------------
failed_versions=()
for version in "${versions[@]}"; do
	step="conformance $version"
	log "$runner --version $version"
	rc=0
	"$runner" --base-url "$base_url" --client-id "$client_id" --client-secret "$client_secret" --org "$org" \
		--version "$version" --webhook-port "$hook_port" --wait "${PACT_CONFORMANCE_WAIT:-25}" >"$tmp/result.txt" 2>&1 || rc=$?
	sed "s/^/$version  /" "$tmp/result.txt"
	if ((rc != 0)); then
		failed_versions+=("$version")
	fi
done

step="conformance"
if ((${#failed_versions[@]})); then
	if [[ $mode == report ]]; then
		verdict="REPORTED: mandatory failures in ${failed_versions[*]} (PACT_CONFORMANCE=report: not failing)"
		exit 0
	fi
	step="conformance: mandatory failures in ${failed_versions[*]}"
	exit 1
fi
verdict="PASS: every mandatory case passes in ${versions[*]}"
