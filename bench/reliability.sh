#!/usr/bin/env bash
# bench/reliability.sh — load and fault tests of the built binary against a
# private Redis and PostgreSQL (`make reliability`). Each check prints PASS or
# FAIL; a summary table ends the run; the exit status is 1 if any failed.
#
#   bench/reliability.sh
#   LOAD_DURATION=10s FAULT_DURATION=12 bench/reliability.sh     a short run
#
#   (a) load     wrk, LOAD_DURATION at CONNS connections, distinct primary
#                footprint requests: zero non-2xx, p99 recorded.
#   (b) redis    wrk on distinct PV requests for a third of FAULT_DURATION
#                with Redis up (the baseline p99, after a 2 s warm-up); then wrk on other distinct
#                PV requests for FAULT_DURATION seconds, at the same
#                connections; redis-server is killed (SIGKILL) after a third
#                of it and started again on the same port after two thirds:
#                zero failed requests, and that run's p99 at most twice the
#                baseline's (fail fast: cache.FailFast and the breaker);
#                then a request evicted from the in-process cache
#                (ALCARBON_CACHE_MAX_ENTRIES=1) is answered from Redis again
#                (X-Cache: hit-redis, alcarbon_cache_hits_total{tier="redis"}).
#   (c) postgres N declarations published; PostgreSQL killed (pg_ctl -m
#                immediate); registry endpoints answer 503 problem+json and
#                calculations 200 (a short wrk with zero non-2xx); PostgreSQL
#                started again: every declaration acknowledged with 201 is there.
#   (d) sigterm  wrk plus slow requests (a 400-point PV sweep) in flight;
#                SIGTERM: /readyz answers 503 (the drain), the slow requests
#                complete with 200, wrk sees no non-2xx, the process exits 0.
#
# Environment: LOAD_DURATION (default 60s), CONNS (64), THREADS (2),
# FAULT_DURATION (seconds, default 30), DECLARATIONS (20).
#
# PostgreSQL runs with fsync=off (no machine crash is simulated) but with
# synchronous_commit on, as in production: a 201 means the row is committed.
# Everything listens on 127.0.0.1, in a temp dir removed on exit; system
# services are neither used nor touched. Needs wrk, redis-server and a
# PostgreSQL server (apt-get install wrk redis-server postgresql).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LOAD_DURATION=${LOAD_DURATION:-60s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
FAULT_DURATION=${FAULT_DURATION:-30}
DECLARATIONS=${DECLARATIONS:-20}

log() { printf '==> %s\n' "$*"; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 2
}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh # as_pg, pg_bin, free_port

for tool in wrk redis-server redis-cli curl python3; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk redis-server curl python3)"
done
PG_BIN=$(pg_bin)
[[ -n $PG_BIN ]] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)"

base_tmp=${TMPDIR:-/tmp}
[[ $EUID -eq 0 ]] && base_tmp=/tmp # the postgres user must reach the cluster
tmp=$(mktemp -d "$base_tmp/alcarbon-reliability.XXXXXX")
chmod 755 "$tmp"
redis_pid="" app_pid="" pg_data=""
bg_pids=()

cleanup() {
	local rc=$?
	set +e
	for p in "${bg_pids[@]}" "$app_pid" "$redis_pid"; do
		[[ -n $p ]] && kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [[ -n $pg_data && -f $pg_data/postmaster.pid ]]; then
		as_pg "$PG_BIN/pg_ctl" -D "$pg_data" -m immediate -w -t 30 stop >/dev/null 2>&1
	fi
	[[ -n ${KEEP_WRK_LOG:-} && -f $tmp/wrk.log ]] && cp "$tmp/wrk.log" "$KEEP_WRK_LOG"
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
source bench/lib.sh # record, start_redis, init_pg, start_pg
init_pg
kill_pg() { as_pg "$PG_BIN/pg_ctl" -D "$pg_data" -m immediate -w -t 30 stop >/dev/null; }

log "redis-server on 127.0.0.1:$redis_port, PostgreSQL on 127.0.0.1:$pg_port"
start_redis
start_pg
"$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres alcarbon

log "go build"
go build -o "$tmp/alcarbon" .
export ALCARBON_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export ALCARBON_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/alcarbon?sslmode=disable"
export ALCARBON_DATA_DIR=$tmp/data ALCARBON_RATE_LIMIT=100000 ALCARBON_RATE_BURST=100000
export ALCARBON_SHUTDOWN_TIMEOUT=30s ALCARBON_LOG_LEVEL=warn
key=$("$tmp/alcarbon" keys create --org "Reliability Smelter" 2>&1 | sed -n 's/^ *api key:* *//p' | head -n 1)
[[ $key == alc_* ]] || die "could not create an API key: $("$tmp/alcarbon" keys create --org x 2>&1 | head -5)"

app_port=$(free_port)
base=http://127.0.0.1:$app_port
start_app() { # extra env assignments
	env ALCARBON_ADDR="127.0.0.1:$app_port" "$@" "$tmp/alcarbon" >>"$tmp/alcarbon.log" 2>&1 &
	app_pid=$!
	for ((i = 0; i < 100; i++)); do
		curl -sf "$base/readyz" >/dev/null && return
		kill -0 "$app_pid" 2>/dev/null || { tail -20 "$tmp/alcarbon.log" >&2; die "alcarbon exited"; }
		sleep 0.1
	done
	die "alcarbon did not become ready"
}
stop_app() {
	kill -TERM "$app_pid"
	wait "$app_pid" || true
	app_pid=""
}

# wrk_run url body-file vary duration → "rps p50 p99 non2xx errors requests"
wrk_run() {
	BODY_FILE=$2 VARY=$3 wrk -t"$THREADS" -c"$CONNS" -d"$4" --timeout 10s -s bench/post.lua "$1" | tee -a "$tmp/wrk.log" | awk '/^RESULT/ {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"], v["errors"], v["requests"] }'
}

metric() { # name{labels} → value (0 if absent)
	curl -s "$base/metrics" | awk -v m="$1" 'index($0, m) == 1 { v = $2 } END { print v + 0 }'
}

# --- (a) load --------------------------------------------------------------------
start_app
log "(a) load: $LOAD_DURATION, $CONNS connections, distinct primary footprints"
read -r rps p50 p99 bad errs reqs < <(wrk_run "$base/v1/footprints/primary" bench/bodies/primary.json production_t "$LOAD_DURATION")
if [[ $bad == 0 && $errs == 0 && $reqs -gt 0 ]]; then
	record load PASS "$reqs requests, $rps req/s, p50 $p50 ms, p99 $p99 ms, 0 non-2xx"
else
	record load FAIL "$reqs requests, $bad non-2xx, $errs socket errors, p99 $p99 ms"
fi
stop_app

# --- (b) Redis killed and restarted during load -------------------------------------
start_app ALCARBON_CACHE_MAX_ENTRIES=1
log "(b) redis: baseline, $((FAULT_DURATION / 3))s of distinct PV requests with Redis up, $CONNS connections"
# Other values than the fault run's (VARY_BASE), so that run finds none of
# them in Redis and both runs compute every request; a 2 s warm-up first, not
# measured, so the baseline holds no start-up cost.
VARY_BASE=7000000 wrk_run "$base/v1/pv" bench/bodies/pv.json capacity_kwp 2s >/dev/null
read -r _ _ base_p99 base_bad base_errs base_reqs < <(VARY_BASE=5000000 wrk_run "$base/v1/pv" bench/bodies/pv.json capacity_kwp "$((FAULT_DURATION / 3))s")
log "(b) redis: ${FAULT_DURATION}s of distinct PV requests; SIGKILL redis at $((FAULT_DURATION / 3))s, restart at $((2 * FAULT_DURATION / 3))s"
wrk_run "$base/v1/pv" bench/bodies/pv.json capacity_kwp "${FAULT_DURATION}s" >"$tmp/wrk-redis" &
wrk_pid=$!
bg_pids+=("$wrk_pid")
sleep $((FAULT_DURATION / 3))
kill -KILL "$redis_pid"
wait "$redis_pid" 2>/dev/null || true
ready_down=$(curl -s "$base/readyz" | python3 -c 'import json,sys; print([d["state"] for d in json.load(sys.stdin)["dependencies"] if d["name"]=="redis"][0])')
sleep $((2 * FAULT_DURATION / 3 - FAULT_DURATION / 3))
start_redis
wait "$wrk_pid"
read -r rps _ p99 bad errs reqs <"$tmp/wrk-redis"
if [[ $bad == 0 && $errs == 0 && $reqs -gt 0 ]]; then
	record redis-kill PASS "$reqs PV requests, 0 failed, p99 $p99 ms; /readyz redis $ready_down while killed"
else
	record redis-kill FAIL "$reqs PV requests, $bad non-2xx, $errs socket errors"
fi
if [[ $base_bad == 0 && $base_errs == 0 ]] && awk -v f="$p99" -v b="$base_p99" 'BEGIN { exit !(b > 0 && f <= 2 * b) }'; then
	record redis-p99 PASS "p99 $p99 ms with the fault ≤ 2 × $base_p99 ms without it ($base_reqs baseline requests, $CONNS connections)"
else
	record redis-p99 FAIL "p99 $p99 ms with the fault vs $base_p99 ms without it (limit 2×; baseline $base_reqs requests, $base_bad non-2xx, $base_errs errors)"
fi
# Back in use: A is computed and stored in both tiers, B evicts it from the
# one-entry memory tier, so A again can only be a Redis hit. The breaker
# retries Redis after its cooldown (30 s), hence the bounded wait.
hits_before=$(metric 'alcarbon_cache_hits_total{tier="redis"}')
resumed=""
for ((i = 0; i < 90; i++)); do
	a='{"site": "datong", "system": {"capacity_kwp": '$((5000 + i))'}}'
	curl -s -o /dev/null -H 'Content-Type: application/json' -d "$a" "$base/v1/pv"
	curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"site": "datong", "system": {"capacity_kwp": 1}}' "$base/v1/pv"
	if [[ $(curl -s -o /dev/null -D - -H 'Content-Type: application/json' -d "$a" "$base/v1/pv" | tr -d '\r' | sed -n 's/^X-Cache: //Ip') == hit-redis ]]; then
		resumed="after $((i + 1)) tries"
		break
	else
		sleep 1
	fi
done
hits_after=$(metric 'alcarbon_cache_hits_total{tier="redis"}')
ready_up=$(curl -s "$base/readyz" | python3 -c 'import json,sys; print([d["state"] for d in json.load(sys.stdin)["dependencies"] if d["name"]=="redis"][0])')
if [[ -n $resumed && $hits_after -gt $hits_before && $ready_up == up ]]; then
	record redis-back PASS "X-Cache hit-redis $resumed; redis hits $hits_before → $hits_after; /readyz redis $ready_up"
else
	record redis-back FAIL "no Redis hit within 90 s; redis hits $hits_before → $hits_after; /readyz redis $ready_up"
fi
stop_app

# --- (c) PostgreSQL stopped and restarted ------------------------------------------
start_app
log "(c) postgres: publish $DECLARATIONS, kill PostgreSQL, check, restart, check"
publish() { # → "status id"
	curl -s -o "$tmp/pub.json" -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer $key" \
		-d '{"kind": "primary", "request": {"region": "CN-SX", "production_t": '"$1"', "electrolysis": {"ac_kwh_per_t": 13200}},
		     "product_name": "P1020A ingot lot '"$1"'", "reference_period": {"start": "2024-01-01", "end": "2024-12-31"}, "visibility": "public"}' \
		"$base/v1/declarations"
	printf ' %s\n' "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id",""))' "$tmp/pub.json" 2>/dev/null)"
}
acked=()
for ((i = 1; i <= DECLARATIONS; i++)); do
	read -r code id < <(publish $((100000 + i)))
	[[ $code == 201 && -n $id ]] && acked+=("$id")
done
kill_pg
down_ok=1 down_notes=()
expect() { # method path want-status [body]
	local ct
	read -r code ct < <(curl -s -o /dev/null -w '%{http_code} %{content_type}\n' -X "$1" -H 'Content-Type: application/json' \
		-H "Authorization: Bearer $key" ${4:+-d "$4"} "$base$2")
	if [[ $code != "$3" || ($3 == 503 && $ct != application/problem+json) ]]; then
		down_ok=0
		down_notes+=("$1 $2: $code $ct")
	fi
}
for ((i = 1; i <= 5; i++)); do
	read -r code id < <(publish $((200000 + i)))
	if [[ $code == 201 ]]; then
		acked+=("$id")
		down_ok=0
		down_notes+=("publish acknowledged while PostgreSQL was down")
	elif [[ $code != 503 ]]; then
		down_ok=0
		down_notes+=("publish: $code")
	fi
done
expect GET /v1/declarations 503
expect GET "/v1/declarations/${acked[0]:-x}" 503
expect GET "/v1/declarations/${acked[0]:-x}/verify" 503
expect POST /v1/footprints/primary 200 '{"electrolysis": {"ac_kwh_per_t": 13100}}'
expect POST /v1/pv 200 '{"site": "taiyuan", "system": {"capacity_kwp": 1000}}'
read -r _ _ p99 bad errs reqs < <(wrk_run "$base/v1/footprints/primary" bench/bodies/primary.json production_t 5s)
[[ $bad == 0 && $errs == 0 ]] || {
	down_ok=0
	down_notes+=("calculations under load: $bad non-2xx, $errs errors")
}
if ((down_ok)); then
	record pg-down PASS "publish ×5 → 503 problem+json, list/get/verify 503, calculations 200 ($reqs under load, p99 $p99 ms)"
else
	record pg-down FAIL "${down_notes[*]}"
fi
start_pg
missing=0
for ((i = 0; i < 100; i++)); do # the pool reconnects on the next request
	[[ $(curl -s -o /dev/null -w '%{http_code}' "$base/v1/declarations") == 200 ]] && break
	sleep 0.2
done
for id in "${acked[@]}"; do
	[[ $(curl -s -o /dev/null -w '%{http_code}' "$base/v1/declarations/$id") == 200 ]] || missing=$((missing + 1))
done
read -r code _ < <(publish 300000)
if ((missing == 0 && ${#acked[@]} == DECLARATIONS)) && [[ $code == 201 ]]; then
	record pg-back PASS "all ${#acked[@]} acknowledged declarations present after restart; publishing works again"
else
	record pg-back FAIL "$missing of ${#acked[@]} acknowledged declarations missing ($DECLARATIONS published); publish after restart: $code"
fi
stop_app

# --- (d) SIGTERM during load ----------------------------------------------------------
# Four heavy slots, so the four sweeps all run (with the default of one per
# CPU the others get 503 after 1 s: admission, not shutdown, is tested there).
start_app ALCARBON_HEAVY_SLOTS=4
log "(d) sigterm: slow sweeps and wrk in flight, then SIGTERM"
wrk_run "$base/v1/footprints/primary" bench/bodies/primary.json production_t 10s >"$tmp/wrk-term" &
wrk_pid=$!
bg_pids+=("$wrk_pid")
slow=()
for ((i = 0; i < 4; i++)); do
	{ curl -s -o "$tmp/slow$i.json" -w '%{http_code}' -H 'Content-Type: application/json' \
		-d '{"kind": "primary", "base": {"production_t": 300000, "electricity": {"sources": [{"kind": "onsite_pv", "pv": {"site": "taiyuan", "system": {"capacity_kwp": 1000}}}, {"kind": "grid", "share": 1}]}},
		     "parameter": "/electricity/sources/0/pv/system/capacity_kwp", "range": {"from": '$((1000 + i))', "to": 400000, "steps": 400}}' \
		"$base/v1/scenarios/sweep" >"$tmp/slow$i.code"; date +%s.%N >"$tmp/slow$i.end"; } &
	slow+=("$!")
	bg_pids+=("$!")
done
sleep 1
t0=$(date +%s.%N)
kill -TERM "$app_pid"
sleep 0.2
draining=$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz") # 503 during ALCARBON_SHUTDOWN_DRAIN
app_rc=0
wait "$app_pid" || app_rc=$?
t1=$(date +%s.%N)
app_pid=""
slow_ok=0 in_flight=0
for ((i = 0; i < 4; i++)); do
	wait "${slow[$i]}" || true
	awk -v a="$t0" -v b="$(cat "$tmp/slow$i.end")" 'BEGIN { exit !(b > a) }' && in_flight=$((in_flight + 1))
	[[ $(cat "$tmp/slow$i.code") == 200 ]] && python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["points"]) == 400' "$tmp/slow$i.json" 2>/dev/null &&
		slow_ok=$((slow_ok + 1))
done
wait "$wrk_pid" || true
read -r _ _ _ bad errs reqs <"$tmp/wrk-term"
drain=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
if ((app_rc == 0 && slow_ok == 4 && in_flight > 0)) && [[ $bad == 0 && $draining == 503 ]]; then
	record sigterm PASS "exit 0 after ${drain} s (5 s drain included); /readyz 503 0.2 s after SIGTERM; 4/4 400-point sweeps answered 200 in full, $in_flight of them finishing after SIGTERM; wrk: $reqs responses, 0 non-2xx ($errs socket errors once the listener closed)"
else
	record sigterm FAIL "exit $app_rc; /readyz $draining 0.2 s after SIGTERM; $slow_ok/4 sweeps complete, $in_flight still in flight at SIGTERM; wrk $bad non-2xx"
fi

# --- summary -----------------------------------------------------------------------
printf '\n%-10s %-5s %s\n' check result detail
printf '%s\n' "${results[@]}"
printf '(load %s at %s connections; faults over %s s; %s declarations; %s)\n' "$LOAD_DURATION" "$CONNS" "$FAULT_DURATION" "$DECLARATIONS" "$(nproc) CPUs"
exit "$failed"
