#!/usr/bin/env bash
# bench/load.sh — throughput of alcarbon's endpoints against two echo v4
# baselines, in one run, alternating baselines and endpoint, with wrk.
#
#   bench/load.sh                    4 s per run, 32 connections, 2 threads, 2 rounds
#   DURATION=10s CONNS=64 ROUNDS=3 bench/load.sh
#   DECLARATIONS=100                 declarations published before the registry reads
#   ONLY='primary'                   only the endpoints whose name matches (grep -E)
#   BIN=/path/to/alcarbon            measure that binary (e.g. an older commit's) instead of building
#   SAME_HEADERS=1                   also measure echo answering the same bytes with alcarbon's
#                                    response headers (column ×hdrs)
#
# The baselines (bench/echo, the same echo version):
#   echo JSON   a bare handler decoding a small JSON body and encoding it back;
#   echo same   a handler reading the request body and answering with the
#               endpoint's own response bytes, captured from the running
#               server before the runs (for the uncached runs: the response
#               to the body as it is in bench/bodies): the ceiling for
#               serving that answer at all.
#   echo hdrs   (SAME_HEADERS=1) echo same with the headers alcarbon sends
#               with a cached answer: request id, security headers, X-Cache,
#               Vary, ETag, Content-Length.
# For each endpoint and round: echo JSON, echo same, then the endpoint; the
# figures are the median over the rounds. A ratio is the endpoint's req/s ÷
# the baseline's req/s in the same round (0.5× = half as fast). Peak RSS is
# the server's VmHWM over that endpoint's runs (reset before them through
# /proc/PID/clear_refs). Bytes is the response body as sent.
#
# Then the time from exec to the first answer of /healthz, and the binary's
# size. Installs wrk with apt if it is missing. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-4s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
ONLY=${ONLY:-.}

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

if [[ -n ${BIN:-} ]]; then
	cp "$BIN" "$tmp/alcarbon"
else
	CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$tmp/alcarbon" .
fi
go build -o "$tmp/echo" ./bench/echo
aport=$(free_port)
eport=$(free_port)
key=$(ALCARBON_DATA_DIR=$tmp/data "$tmp/alcarbon" keys create --org "Bench Smelter" | sed -n 's/^api key *//p')
ALCARBON_ADDR=127.0.0.1:$aport ALCARBON_DATA_DIR=$tmp/data ALCARBON_RATE_LIMIT=1000000 ALCARBON_RATE_BURST=1000000 \
	"$tmp/alcarbon" >"$tmp/alcarbon.log" 2>&1 &
apid=$!
pids+=("$apid")
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$aport/healthz" >/dev/null && break
	sleep 0.1
done

# A registry to read: DECLARATIONS public declarations of distinct plants.
for ((i = 0; i < ${DECLARATIONS:-100}; i++)); do
	sed "s/\"production_t\": 300000/\"production_t\": $((200000 + i))/" bench/bodies/declaration.json |
		curl -sf -o "$tmp/declaration.json" -H 'Content-Type: application/json' -H "Authorization: Bearer $key" --data-binary @- \
			"http://127.0.0.1:$aport/v1/declarations"
done
decl_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/declaration.json")

# The endpoints: name | path | body file | field varied per request ("" = one
# request repeated) | extra: METHOD=GET, AUTH, gzip, fraction (VARY_FRACTION=1).
endpoints=(
	"primary footprint, cached|/v1/footprints/primary|bench/bodies/primary.json||"
	"primary footprint, computed|/v1/footprints/primary|bench/bodies/primary.json|production_t|"
	"primary footprint, cached, gzip|/v1/footprints/primary|bench/bodies/primary.json||gzip"
	"primary footprint, computed, gzip|/v1/footprints/primary|bench/bodies/primary.json|production_t|gzip"
	"electricity portfolio, computed|/v1/electricity|bench/bodies/electricity.json|production_t|"
	"PV yield (8760 h chain), cached|/v1/pv|bench/bodies/pv.json||"
	"PV yield (8760 h chain), computed|/v1/pv|bench/bodies/pv.json|capacity_kwp|"
	"product footprint, cached|/v1/footprints/product|bench/bodies/product.json||"
	"product footprint, computed|/v1/footprints/product|bench/bodies/product.json|km|fraction"
	"compare 20 variants, cached|/v1/scenarios/compare|bench/bodies/compare20.json||"
	"compare 20 variants, computed|/v1/scenarios/compare|bench/bodies/compare20.json|production_t|"
	"uncertainty 10k samples, cached|/v1/uncertainty|bench/bodies/uncertainty.json||"
	"uncertainty 10k samples, computed|/v1/uncertainty|bench/bodies/uncertainty.json|seed|"
	"declarations list (${DECLARATIONS:-100}, page 50)|/v1/declarations|||GET"
	"declaration get|/v1/declarations/$decl_id|||GET"
	"declaration publish|/v1/declarations|bench/bodies/declaration.json|production_t|AUTH"
)

# Capture each endpoint's answer for the echo-same baseline.
mkdir -p "$tmp/same"
slug() { tr -c 'a-z0-9\n' '-' <<<"$1" | tr -d '\n'; }
for spec in "${endpoints[@]}"; do
	IFS='|' read -r name path body _ extra <<<"$spec"
	args=(-s -o "$tmp/same/$(slug "$name")")
	[[ -n $body ]] && args+=(-H 'Content-Type: application/json' --data-binary "@$body")
	[[ $extra == gzip ]] && args+=(-H 'Accept-Encoding: gzip')
	[[ $extra == AUTH ]] && args+=(-H "Authorization: Bearer $key")
	curl "${args[@]}" "http://127.0.0.1:$aport$path"
done
"$tmp/echo" "127.0.0.1:$eport" "$tmp/same" >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
	curl -s -o /dev/null "http://127.0.0.1:$eport/" && break
	sleep 0.1
done

run() { # url body-file vary-field → "rps p50 p99 non2xx"; METHOD, AUTH, ACCEPT_ENCODING, VARY_FRACTION from the environment
	BODY_FILE=$2 VARY=$3 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/post.lua "$1" | awk '/^RESULT/ {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["errors"] }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

printf '%-40s %8s %7s %7s %6s %8s %8s %8s %8s' endpoint req/s p50_ms p99_ms non2xx '×JSON' '×same' bytes 'RSS_MiB'
if [[ -n ${SAME_HEADERS:-} ]]; then printf ' %8s' '×hdrs'; fi
echo
for spec in "${endpoints[@]}"; do
	IFS='|' read -r name path body vary extra <<<"$spec"
	grep -qE "$ONLY" <<<"$name" || continue
	same=$tmp/same/$(slug "$name")
	env=(METHOD=POST AUTH= ACCEPT_ENCODING= VARY_FRACTION=)
	case $extra in
	GET) env=(METHOD=GET AUTH= ACCEPT_ENCODING= VARY_FRACTION=) ;;
	AUTH) env=(METHOD=POST "AUTH=Bearer $key" ACCEPT_ENCODING= VARY_FRACTION=) ;;
	gzip) env=(METHOD=POST AUTH= ACCEPT_ENCODING=gzip VARY_FRACTION=) ;;
	fraction) env=(METHOD=POST AUTH= ACCEPT_ENCODING= VARY_FRACTION=1) ;;
	esac
	echo 5 >"/proc/$apid/clear_refs" # reset VmHWM
	: >"$tmp/rounds"
	for ((r = 1; r <= ROUNDS; r++)); do
		read -r jrps _ < <(METHOD=POST AUTH= ACCEPT_ENCODING= VARY_FRACTION= run "http://127.0.0.1:$eport/echo" bench/bodies/echo.json "")
		read -r srps _ < <(export "${env[@]}" && run "http://127.0.0.1:$eport/same/${same##*/}" "$body" "")
		hrps=1
		if [[ -n ${SAME_HEADERS:-} ]]; then
			read -r hrps _ < <(export "${env[@]}" && run "http://127.0.0.1:$eport/same-headers/${same##*/}" "$body" "")
		fi
		read -r rps p50 p99 bad < <(export "${env[@]}" VARY_BASE=$((r * 1000000)) && run "http://127.0.0.1:$aport$path" "$body" "$vary")
		echo "$rps $p50 $p99 $bad $(awk -v a="$rps" -v b="$jrps" 'BEGIN { print a / b }') $(awk -v a="$rps" -v b="$srps" 'BEGIN { print a / b }') $(awk -v a="$rps" -v b="$hrps" 'BEGIN { print a / b }')" >>"$tmp/rounds"
	done
	col() { awk -v c="$1" '{ print $c }' "$tmp/rounds" | median; }
	hwm=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$apid/status")
	printf '%-40s %8.0f %7.3f %7.3f %6d %7.2f× %7.2f× %8d %8s' "$name" "$(col 1)" "$(col 2)" "$(col 3)" "$(awk '{ s += $4 } END { print s }' "$tmp/rounds")" \
		"$(col 5)" "$(col 6)" "$(stat -c %s "$same")" "$hwm"
	if [[ -n ${SAME_HEADERS:-} ]]; then printf ' %7.2f×' "$(col 7)"; fi
	echo
done
echo "ratios: endpoint req/s ÷ baseline req/s in the same round, median of $ROUNDS rounds (×JSON: bare echo JSON handler; ×same: echo answering the endpoint's own bytes; ×hdrs: the same with alcarbon's headers)"
echo "alcarbon cache (/metrics): $(curl -s "http://127.0.0.1:$aport/metrics" | grep -E '^(alcarbon_cache_memory_bytes|go_memstats_heap_inuse_bytes|alcarbon_memory_limit_bytes) ' | tr '\n' ' ')"
kill "$apid"
wait "$apid" 2>/dev/null || true

# Start-up: exec to the first 200 from /healthz, five times (fresh data folder each).
python3 - "$tmp/alcarbon" "$tmp" <<'EOF'
import os, socket, subprocess, sys, time, urllib.request
binary, tmp = sys.argv[1], sys.argv[2]
times = []
for i in range(5):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    env = dict(os.environ, ALCARBON_ADDR=f"127.0.0.1:{port}", ALCARBON_DATA_DIR=f"{tmp}/start{i}")
    t0 = time.monotonic()
    p = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.001)
    times.append((time.monotonic() - t0) * 1000)
    p.terminate(); p.wait()
print("start-up, exec to /healthz 200 [ms]: " + ", ".join(f"{t:.0f}" for t in times) + f" (median {sorted(times)[2]:.0f})")
EOF
echo "binary: $(stat -c %s "$tmp/alcarbon") bytes ($(awk -v b="$(stat -c %s "$tmp/alcarbon")" 'BEGIN { printf "%.1f", b / 1048576 }') MiB), built with -trimpath -ldflags='-s -w'"
