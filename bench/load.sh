#!/usr/bin/env bash
# bench/load.sh — throughput of alcarbon's endpoints against a bare echo JSON
# handler, in one run, alternating baseline and endpoint, with wrk.
#
#   bench/load.sh                    10 s per run, 16 connections, 2 threads
#   DURATION=30s CONNS=64 bench/load.sh
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
ALCARBON_ADDR=127.0.0.1:$aport ALCARBON_DATA_DIR=$tmp/data "$tmp/alcarbon" >"$tmp/alcarbon.log" 2>&1 &
apid=$!
pids+=("$apid")
"$tmp/echo" 127.0.0.1:$eport >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$aport/healthz" >/dev/null && curl -s -o /dev/null "http://127.0.0.1:$eport/" && break
	sleep 0.1
done

run() { # url body-file vary-field → "rps p50 p99 non2xx"
	BODY_FILE=$2 VARY=$3 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s bench/post.lua "$1" | awk '/^RESULT/ {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["errors"] }'
}

printf '%-34s %10s %9s %9s %7s %8s\n' endpoint req/s p50_ms p99_ms non2xx ×echo
bench() { # name path body vary
	read -r brps _ _ _ < <(run "http://127.0.0.1:$eport/echo" bench/bodies/echo.json "")
	read -r rps p50 p99 bad < <(run "http://127.0.0.1:$aport$2" "$3" "$4")
	printf '%-34s %10s %9s %9s %7s %8.2f   (echo %s req/s)\n' "$1" "$rps" "$p50" "$p99" "$bad" "$(awk -v a="$brps" -v b="$rps" 'BEGIN { print a / b }')" "$brps"
}
bench "primary footprint, cached" /v1/footprints/primary bench/bodies/primary.json ""
bench "primary footprint, uncached" /v1/footprints/primary bench/bodies/primary.json production_t
bench "electricity portfolio, uncached" /v1/electricity bench/bodies/electricity.json production_t
bench "PV yield (8760 h chain), cached" /v1/pv bench/bodies/pv.json ""
bench "PV yield (8760 h chain), uncached" /v1/pv bench/bodies/pv.json capacity_kwp
echo "alcarbon peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$apid/status)"
echo "(×echo = baseline req/s ÷ endpoint req/s: how many times slower than a bare echo JSON handler)"
