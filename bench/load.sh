#!/usr/bin/env bash
# bench/load.sh — throughput of alcarbon's endpoints against a bare echo JSON
# handler, in one run, alternating baseline and endpoint, with wrk.
#
#   bench/load.sh                    10 s per run, 16 connections, 2 threads
#   DURATION=30s CONNS=64 bench/load.sh
#   DECLARATIONS=100                 declarations published before the registry reads
#
# Prints requests/s, p50 and p99 latency and the ratio to the baseline run
# just before each endpoint, then the server's peak RSS. Installs wrk with
# apt if it is missing. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-10s}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}

if ! command -v wrk >/dev/null; then
	if [[ $EUID -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
	"${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq wrk >/dev/null
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

go build -o "$tmp/alcarbon" .
go build -o "$tmp/echo" ./bench/echo
aport=$(free_port)
eport=$(free_port)
key=$(ALCARBON_DATA_DIR=$tmp/data "$tmp/alcarbon" keys create --org "Bench Smelter" | sed -n 's/^api key *//p')
ALCARBON_ADDR=127.0.0.1:$aport ALCARBON_DATA_DIR=$tmp/data ALCARBON_RATE_LIMIT=1000000 ALCARBON_RATE_BURST=1000000 \
	"$tmp/alcarbon" >"$tmp/alcarbon.log" 2>&1 &
apid=$!
pids+=("$apid")
"$tmp/echo" 127.0.0.1:$eport >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$aport/healthz" >/dev/null && curl -s -o /dev/null "http://127.0.0.1:$eport/" && break
	sleep 0.1
done

# A registry to read: DECLARATIONS public declarations of distinct plants.
for ((i = 0; i < ${DECLARATIONS:-100}; i++)); do
	sed "s/\"production_t\": 300000/\"production_t\": $((200000 + i))/" bench/bodies/declaration.json |
		curl -sf -o "$tmp/declaration.json" -H 'Content-Type: application/json' -H "Authorization: Bearer $key" --data-binary @- \
			"http://127.0.0.1:$aport/v1/declarations"
done
decl_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/declaration.json")

run() { # url body-file vary-field → "rps p50 p99 non2xx"; METHOD and AUTH from the environment
	BODY_FILE=$2 VARY=$3 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/post.lua "$1" | awk '/^RESULT/ {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["errors"] }'
}

printf '%-34s %10s %9s %9s %7s %8s\n' endpoint req/s p50_ms p99_ms non2xx ×echo
bench() { # name path body vary
	read -r brps _ _ _ < <(METHOD=POST AUTH="" VARY_FRACTION="" run "http://127.0.0.1:$eport/echo" bench/bodies/echo.json "")
	read -r rps p50 p99 bad < <(run "http://127.0.0.1:$aport$2" "$3" "$4")
	printf '%-34s %10s %9s %9s %7s %8.2f   (echo %s req/s)\n' "$1" "$rps" "$p50" "$p99" "$bad" "$(awk -v a="$brps" -v b="$rps" 'BEGIN { print a / b }')" "$brps"
}
bench "primary footprint, cached" /v1/footprints/primary bench/bodies/primary.json ""
bench "primary footprint, uncached" /v1/footprints/primary bench/bodies/primary.json production_t
bench "electricity portfolio, uncached" /v1/electricity bench/bodies/electricity.json production_t
bench "PV yield (8760 h chain), cached" /v1/pv bench/bodies/pv.json ""
bench "PV yield (8760 h chain), uncached" /v1/pv bench/bodies/pv.json capacity_kwp
bench "product footprint, cached" /v1/footprints/product bench/bodies/product.json ""
VARY_FRACTION=1 bench "product footprint, uncached" /v1/footprints/product bench/bodies/product.json km
bench "compare 20 variants, cached" /v1/scenarios/compare bench/bodies/compare20.json ""
bench "compare 20 variants, uncached" /v1/scenarios/compare bench/bodies/compare20.json production_t
bench "uncertainty 10k samples, cached" /v1/uncertainty bench/bodies/uncertainty.json ""
bench "uncertainty 10k samples, uncached" /v1/uncertainty bench/bodies/uncertainty.json seed
METHOD=GET bench "declarations list (${DECLARATIONS:-100}, page 50)" "/v1/declarations" "" ""
METHOD=GET bench "declaration get" "/v1/declarations/$decl_id" "" ""
AUTH="Bearer $key" bench "declaration publish" /v1/declarations bench/bodies/declaration.json production_t
echo "alcarbon peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$apid/status)"
echo "(×echo = baseline req/s ÷ endpoint req/s: how many times slower than a bare echo JSON handler)"
