#!/usr/bin/env bash
# bench/batch.sh — batch jobs (issue 18): throughput on one and two
# replicas, and peak memory while a 100,000-row file streams.
#
#   bench/batch.sh
#   ROWS=20000 WORKERS=2 bench/batch.sh
#
#   (1) scale   a ROWS-row primary CSV (default 10,000 distinct rows) posted
#               as a job to one replica on a private PostgreSQL; rows/s from
#               the POST to state done (polled every 100 ms). Then a second
#               replica sharing that PostgreSQL is started and a second file
#               of ROWS other rows is posted: rows/s with two processes, and
#               the ratio two ÷ one. Both replicas run on this machine, so the
#               ratio is bounded by its cores.
#   (2) memory  BIG rows (default 100,000) posted as one CSV to a fresh
#               replica on SQLite (the default store); once the job is done
#               its results are downloaded as CSV (streamed from the
#               database); the replica's peak RSS (VmHWM in /proc/PID/status)
#               is then read. FAIL above 200 MiB.
#
# Environment: ROWS (10000), BIG (100000), WORKERS (ALCARBON_BATCH_WORKERS of
# each replica, default 1), CHUNK (ALCARBON_BATCH_CHUNK_ROWS, default 500).
# Needs a PostgreSQL server (Debian's postgresql), curl and jq. Everything
# listens on 127.0.0.1, in a temp dir removed on exit. The load average is
# printed at the start and the end: the figures are only as quiet as the
# machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ROWS=${ROWS:-10000}
BIG=${BIG:-100000}
WORKERS=${WORKERS:-1}
CHUNK=${CHUNK:-500}

log() { printf '==> %s\n' "$*"; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 2
}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh # as_pg, pg_bin, free_port, wait_ready
# shellcheck source=bench/lib.sh
source bench/lib.sh # record, find_pg, make_tmp, setup_pg, stop_pg
for tool in curl jq; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
find_pg
make_tmp batch
pids=()
cleanup() {
	local rc=$?
	set +e
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	stop_pg
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
setup_pg -c max_connections=100
log "go build"
go build -o "$tmp/alcarbon" .
export ALCARBON_LOG_LEVEL=warn ALCARBON_BATCH_WORKERS=$WORKERS ALCARBON_BATCH_CHUNK_ROWS=$CHUNK ALCARBON_REDIS_URL=

# file N OFFSET: a primary CSV of N distinct rows.
file() {
	{
		echo 'region,electrolysis.ac_kwh_per_t,anode.net_carbon_t_per_t'
		seq "$2" $(($2 + $1 - 1)) | awk '{ printf "CN-SX,%d,%.4f\n", 12000 + $1 % 7000, 0.38 + ($1 % 997) / 20000 }'
	}
}

# start NAME URL-or-empty DATA_DIR: a replica on a free port; sets port_NAME and pid_NAME.
start() {
	local name=$1 port
	port=$(free_port)
	ALCARBON_ADDR=127.0.0.1:$port ALCARBON_DATABASE_URL=$2 ALCARBON_DATA_DIR=$3 \
		"$tmp/alcarbon" >"$tmp/$name.log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	wait_ready "http://127.0.0.1:$port/readyz" "$pid" "$tmp/$name.log"
	printf -v "port_$name" '%s' "$port"
	printf -v "pid_$name" '%s' "$pid"
}

key_for() { # DATABASE_URL DATA_DIR → API key
	ALCARBON_DATABASE_URL=$1 ALCARBON_DATA_DIR=$2 "$tmp/alcarbon" keys create --org "Batch Bench" 2>&1 |
		sed -n 's/^ *api key:* *//p' | head -n 1
}

# run_job PORT KEY FILE: posts FILE, polls until done; prints seconds taken.
run_job() {
	local port=$1 key=$2 f=$3 start loc state
	start=$(date +%s.%N)
	loc=$(curl -sS -D - -o "$tmp/post.json" "http://127.0.0.1:$port/v1/batches?kind=primary" \
		-H "Authorization: Bearer $key" -H 'Content-Type: text/csv' --data-binary "@$f" |
		tr -d '\r' | sed -n 's/^Location: //p')
	[[ -n $loc ]] || die "no job: $(cat "$tmp/post.json")"
	while :; do
		state=$(curl -sS "http://127.0.0.1:$port$loc" -H "Authorization: Bearer $key" | jq -r .state)
		[[ $state == queued || $state == running ]] || break
		sleep 0.1
	done
	[[ $state == done ]] || die "job $loc ended $state"
	echo "$loc $(echo "$(date +%s.%N) - $start" | bc -l)"
}

# --- (1) scale ------------------------------------------------------------------
key=$(key_for "$pg_url" "$tmp/unused")
[[ $key == alc_* ]] || die "could not create an API key"
file "$ROWS" 0 >"$tmp/a.csv"
file "$ROWS" "$ROWS" >"$tmp/b.csv"
start a "$pg_url" "$tmp/unused"
read -r _ one < <(run_job "$port_a" "$key" "$tmp/a.csv")
start b "$pg_url" "$tmp/unused"
read -r loc two < <(run_job "$port_a" "$key" "$tmp/b.csv")
by=$(as_pg psql -h 127.0.0.1 -p "$pg_port" -U postgres -d alcarbon -Atc \
	"SELECT string_agg(n::text, '/') FROM (SELECT count(*) n FROM batch_chunks WHERE batch_id = '${loc##*/}' GROUP BY computed_by ORDER BY 1) c")
rps1=$(echo "$ROWS / $one" | bc -l)
rps2=$(echo "$ROWS / $two" | bc -l)
ratio=$(echo "$rps2 / $rps1" | bc -l)
record scale PASS "$(printf '%d rows: one replica %.0f rows/s (%.1f s), two replicas %.0f rows/s (%.1f s; chunks split %s), ratio %.2f' \
	"$ROWS" "$rps1" "$one" "$rps2" "$two" "$by" "$ratio")"
for p in "${pids[@]}"; do kill "$p"; done
wait "${pids[@]}" 2>/dev/null || true
pids=()

# --- (2) memory -----------------------------------------------------------------
file "$BIG" 0 >"$tmp/big.csv"
mkey=$(key_for "" "$tmp/data")
[[ $mkey == alc_* ]] || die "could not create an API key"
start m "" "$tmp/data"
read -r loc secs < <(run_job "$port_m" "$mkey" "$tmp/big.csv")
lines=$(curl -sS "http://127.0.0.1:$port_m$loc/results?format=csv" -H "Authorization: Bearer $mkey" | wc -l)
[[ $lines == $((BIG + 1)) ]] || die "results: $lines lines, want $((BIG + 1))"
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid_m/status")
mib=$(echo "$hwm / 1024" | bc -l)
status=PASS
(($(echo "$mib > 200" | bc -l))) && status=FAIL
record memory "$status" "$(printf '%d rows (%.1f MB CSV) as a job on SQLite in %.1f s (%.0f rows/s), results streamed as CSV: peak RSS (VmHWM) %.0f MiB (limit 200)' \
	"$BIG" "$(echo "$(stat -c %s "$tmp/big.csv") / 1000000" | bc -l)" "$secs" "$(echo "$BIG / $secs" | bc -l)" "$mib")"

log "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n%s\n' "${results[@]}"
exit "$failed"
