#!/usr/bin/env bash
# bench/replicas.sh — three replicas of the built binary behind HAProxy, with
# one private Redis and one private PostgreSQL (`make replicas`). Each check
# prints PASS or FAIL with its figures; a summary table ends the run; the exit
# status is 1 if any failed.
#
#   bench/replicas.sh
#   PHASE=10 CONNS=64 bench/replicas.sh          longer phases
#
#   (1) token      a PACT token issued by replica A (POST /auth/token at A) is
#                  accepted by B and C (GET /2/footprints at each, directly).
#   (2) registry   a declaration published at A is listed by B at once
#                  (GET /v1/declarations?company=… right after the 201).
#   (3) cache      a PV result computed by A (X-Cache: miss) is a Redis hit at
#                  B and at C (X-Cache: hit-redis).
#   (4) ratelimit  with ALCARBON_RATE_LIMIT=RATE and ALCARBON_RATE_BURST=BURST,
#                  wrk publishes with one API key through the load balancer for
#                  PHASE s: the declarations in the registry (the accepted
#                  writes) are within 10 % of RATE × PHASE + BURST (per-process
#                  limits would allow three times that).
#   (5) kill       wrk reads a declaration through the load balancer for
#                  2 × PHASE s while a client publishes in a loop; replica B is
#                  killed (SIGKILL) a third of the way in: every declaration
#                  acknowledged with 201 is readable afterwards, and wrk sees at
#                  most 0.1 % failed requests (non-2xx or socket errors).
#   (6) rolling    the same load; replica A gets SIGTERM (it drains: /readyz
#                  503, HAProxy takes it out), exits, is started again and
#                  waited for until HAProxy has it back: zero failed reads and
#                  zero failed publishes.
#   (7) scale      wrk through the load balancer with three replicas in
#                  service, then with B and C disabled in HAProxy (one
#                  replica), then three again: requests/s and the ratio (mean of
#                  the two three-replica runs ÷ the one-replica run), for
#                  distinct (uncached) primary footprints and for a
#                  declaration read. It fails only if a run gives no figure.
#
# Environment: PHASE (seconds per phase, default 5), CONNS (32), THREADS (2),
# RATE (write requests/s per key in check 4, default 20), BURST (20),
# DRAIN (ALCARBON_SHUTDOWN_DRAIN of the replicas, default 2s).
#
# HAProxy: round robin, health checks GET /readyz every 250 ms (down after 2
# failures, up after 2 successes), `retries 3`, `option redispatch 1` (each
# retry goes to another server), `retry-on conn-failure empty-response
# response-timeout` for idempotent requests; POSTs are retried only when the
# connection failed (`http-request disable-l7-retry if METH_POST`), so a
# publish already sent to a dying replica is never sent twice (its client
# gets a 502 instead). `option forwardfor`, and the replicas trust 127.0.0.1
# (ALCARBON_TRUSTED_PROXIES).
#
# Installs haproxy and wrk with apt-get if missing (as root or via sudo); needs
# redis-server, a PostgreSQL server, curl and python3. Everything listens on
# 127.0.0.1, in a temp dir removed on exit; system services are neither used
# nor touched. ALCARBON_PACT_TOKEN_SECRET is left unset on purpose: the
# replicas share the secret kept in the registry.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PHASE=${PHASE:-5}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
RATE=${RATE:-20}
BURST=${BURST:-20}
DRAIN=${DRAIN:-2s}

log() { printf '==> %s\n' "$*"; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 2
}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh # as_pg, pg_bin, free_port
# shellcheck source=bench/lib.sh
source bench/lib.sh # record, find_pg, make_tmp, start_redis, setup_pg, stop_pg

missing=()
command -v haproxy >/dev/null || missing+=(haproxy)
command -v wrk >/dev/null || missing+=(wrk)
if ((${#missing[@]})); then
	if [[ $EUID -eq 0 ]]; then sudo=(); else sudo=(sudo); fi
	log "apt-get install ${missing[*]}"
	"${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export PATH=$PATH:/usr/sbin
for tool in haproxy wrk redis-server redis-cli curl python3; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install haproxy wrk redis-server curl python3)"
done
find_pg
make_tmp replicas
redis_pid="" hap_pid=""
declare -A app_pid=()
bg_pids=()

cleanup() {
	local rc=$?
	set +e
	for p in "${bg_pids[@]}" "${app_pid[@]}" "$hap_pid" "$redis_pid"; do
		[[ -n $p ]] && kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	stop_pg
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Redis and PostgreSQL ----------------------------------------------------------
start_redis
setup_pg -c max_connections=200
log "redis-server on 127.0.0.1:$redis_port, PostgreSQL on 127.0.0.1:$pg_port"

log "go build"
go build -o "$tmp/alcarbon" .
unset ALCARBON_PACT_TOKEN_SECRET # on purpose: the secret kept in the registry is shared
export ALCARBON_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export ALCARBON_DATABASE_URL=$pg_url
export ALCARBON_DATA_DIR=$tmp/data ALCARBON_LOG_LEVEL=warn ALCARBON_TRUSTED_PROXIES=127.0.0.1
export ALCARBON_SHUTDOWN_DRAIN=$DRAIN ALCARBON_SHUTDOWN_TIMEOUT=15s
new_key() { # org → API key
	"$tmp/alcarbon" keys create --org "$1" 2>&1 | sed -n 's/^ *api key:* *//p' | head -n 1
}
key=$(new_key "Replicas Smelter")
rl_key=$(new_key "Replicas Rate Test")
[[ $key == alc_* && $rl_key == alc_* ]] || die "could not create API keys"
"$tmp/alcarbon" pact-clients create --org "Replicas Buyer" >"$tmp/client.txt" 2>&1
client_id=$(sed -n 's/^client id *//p' "$tmp/client.txt")
client_secret=$(sed -n 's/^client secret *//p' "$tmp/client.txt")
[[ -n $client_id && -n $client_secret ]] || die "could not create a PACT client: $(cat "$tmp/client.txt")"

# --- replicas ----------------------------------------------------------------------
names=(a b c)
declare -A port=()
for n in "${names[@]}"; do port[$n]=$(free_port); done
url() { echo "http://127.0.0.1:${port[$1]}"; }

start_replica() { # name [env assignments…]
	local n=$1
	shift
	env ALCARBON_ADDR="127.0.0.1:${port[$n]}" "$@" "$tmp/alcarbon" >>"$tmp/alcarbon-$n.log" 2>&1 &
	app_pid[$n]=$!
	for ((i = 0; i < 150; i++)); do
		curl -sf "$(url "$n")/readyz" >/dev/null && return
		kill -0 "${app_pid[$n]}" 2>/dev/null || { tail -20 "$tmp/alcarbon-$n.log" >&2; die "replica $n exited"; }
		sleep 0.1
	done
	die "replica $n did not become ready"
}
stop_replica() { # name: SIGTERM, wait for the exit (drain included)
	local rc=0
	kill -TERM "${app_pid[$1]}"
	wait "${app_pid[$1]}" || rc=$?
	app_pid[$1]=""
	return "$rc"
}
start_all() { # [env assignments…]
	for n in "${names[@]}"; do start_replica "$n" "$@"; done
}
stop_all() {
	local n
	for n in "${names[@]}"; do kill -TERM "${app_pid[$n]}"; done
	for n in "${names[@]}"; do
		wait "${app_pid[$n]}" || true
		app_pid[$n]=""
	done
}

# --- HAProxy -------------------------------------------------------------------------
lb_port=$(free_port)
lb=http://127.0.0.1:$lb_port
cat >"$tmp/haproxy.cfg" <<EOF
global
	maxconn 4096
	stats socket $tmp/haproxy.sock mode 600 level admin

defaults
	mode http
	timeout connect 1s
	timeout client 30s
	timeout server 30s
	timeout http-keep-alive 10s
	retries 3
	option redispatch 1
	retry-on conn-failure empty-response response-timeout

frontend alcarbon
	bind 127.0.0.1:$lb_port
	option forwardfor
	default_backend replicas

backend replicas
	balance roundrobin
	# A POST may already have reached a replica that died: retry it only when
	# the connection itself failed, never after it was sent.
	http-request disable-l7-retry if METH_POST
	option httpchk GET /readyz
	http-check expect status 200
	default-server check inter 250ms fall 2 rise 2
	server a 127.0.0.1:${port[a]}
	server b 127.0.0.1:${port[b]}
	server c 127.0.0.1:${port[c]}
EOF

hap() { # runtime API command → output
	python3 - "$tmp/haproxy.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
PY
}
# lb_stat server field → a field of `show stat` (status, wretr, wredis, …)
lb_stat() {
	hap "show stat" | python3 -c '
import csv, sys
rows = list(csv.reader(sys.stdin))
head = [h.lstrip("# ") for h in rows[0]]
for r in rows[1:]:
    if len(r) == len(head) and r[0] == "replicas" and r[1] == sys.argv[1]:
        print(r[head.index(sys.argv[2])])' "$1" "$2"
}
lb_wait() { # server status (UP or DOWN…) → seconds waited
	local t0
	t0=$(date +%s.%N)
	for ((i = 0; i < 200; i++)); do
		[[ $(lb_stat "$1" status) == "$2"* ]] && {
			awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
			return
		}
		sleep 0.05
	done
	die "HAProxy did not see server $1 $2 (status: $(lb_stat "$1" status))"
}

haproxy -c -q -f "$tmp/haproxy.cfg" || die "HAProxy configuration invalid"

# wrk_run url duration → "rps p50 p99 non2xx errors requests"; METHOD, AUTH,
# BODY_FILE, VARY, VARY_BASE from the environment (bench/post.lua)
wrk_run() {
	wrk -t"$THREADS" -c"$CONNS" -d"$2" --timeout 10s -s bench/post.lua "$1" | tee -a "$tmp/wrk.log" | awk '/^RESULT/ {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"], v["errors"], v["requests"] }'
}

# publisher seconds ids-file → publishes declarations through the load balancer
# one after another (keep-alive, reconnecting after an error) for that long;
# writes every 201's id to ids-file and prints "acked other-statuses errors
# error-kinds" (errors: no HTTP answer, such as a connection closed).
publisher() {
	python3 - "$lb_port" "$key" "$1" "$2" <<'PY'
import collections, http.client, json, sys, time
port, key, secs, out = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
body = open("bench/bodies/declaration.json").read()
hdr = {"Content-Type": "application/json", "Authorization": "Bearer " + key}
acked, other, errors = [], collections.Counter(), collections.Counter()
conn, n, end = None, 0, time.time() + secs
while time.time() < end:
    n += 1
    b = body.replace('"production_t": 300000', '"production_t": %d' % (400000 + n))
    try:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/v1/declarations", b, hdr)
        r = conn.getresponse()
        data = r.read()
        if r.status == 201:
            acked.append(json.loads(data)["id"])
        else:
            other[r.status] += 1
        if r.getheader("Connection", "").lower() == "close":
            conn.close(); conn = None
    except Exception as e:
        errors[type(e).__name__] += 1
        if conn is not None:
            conn.close()
        conn = None
        time.sleep(0.01)
with open(out, "w") as f:
    f.write("\n".join(acked) + ("\n" if acked else ""))
print(len(acked), ",".join("%d×%d" % (k, v) for k, v in sorted(other.items())) or "none",
      sum(errors.values()), ",".join("%s×%d" % kv for kv in sorted(errors.items())) or "none")
PY
}
company_count() { # company name → how many declarations it has in the registry (all pages)
	python3 - "$lb" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
base, company, n, cursor = sys.argv[1], sys.argv[2], 0, ""
while True:
    q = {"company": company, "limit": 500}
    if cursor:
        q["cursor"] = cursor
    d = json.load(urllib.request.urlopen(base + "/v1/declarations?" + urllib.parse.urlencode(q)))
    n += len(d["declarations"])
    cursor = d.get("next_cursor", "")
    if not cursor:
        break
print(n)
PY
}
readable() { # ids-file → how many are missing through the load balancer
	local m=0 id
	while read -r id; do
		[[ $(curl -s -o /dev/null -w '%{http_code}' "$lb/v1/declarations/$id") == 200 ]] || m=$((m + 1))
	done <"$1"
	echo "$m"
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", 100 * a / b; else print "n/a" }'; }

# --- checks 1–4: three replicas, small write limits ---------------------------------------
log "three replicas on ports ${port[a]} ${port[b]} ${port[c]} (ALCARBON_RATE_LIMIT=$RATE, ALCARBON_RATE_BURST=$BURST); HAProxy on $lb_port"
start_all ALCARBON_RATE_LIMIT="$RATE" ALCARBON_RATE_BURST="$BURST"
haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
hap_pid=$!
bg_pids+=("$hap_pid")
for n in "${names[@]}"; do
	for ((i = 0; i < 100; i++)); do [[ -S $tmp/haproxy.sock ]] && break; sleep 0.05; done
	lb_wait "$n" UP >/dev/null
done

# (1) a token from A is accepted at B and C
log "(1) token: POST /auth/token at A, GET /2/footprints at B and C"
token=$(curl -s -u "$client_id:$client_secret" -d grant_type=client_credentials "$(url a)/auth/token" |
	python3 -c 'import json,sys; print(json.load(sys.stdin).get("access_token",""))')
codes=()
for n in a b c; do
	codes+=("$n $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$(url "$n")/2/footprints")")
done
if [[ -n $token && ${codes[*]} == "a 200 b 200 c 200" ]]; then
	record token PASS "token issued by A (secret kept in the registry, none configured); GET /2/footprints: ${codes[*]}"
else
	record token FAIL "token $([[ -n $token ]] && echo obtained || echo missing); GET /2/footprints: ${codes[*]}"
fi

# (2) a declaration published at A is listed by B at once
log "(2) registry: publish at A, list at B"
sed 's/"production_t": 300000/"production_t": 123457/' bench/bodies/declaration.json >"$tmp/one.json"
code=$(curl -s -o "$tmp/pub.json" -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer $key" \
	--data-binary @"$tmp/one.json" "$(url a)/v1/declarations")
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id",""))' "$tmp/pub.json" 2>/dev/null || true)
t0=$(date +%s.%N)
listed=$(curl -s "$(url b)/v1/declarations?company=Replicas%20Smelter" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for x in d.get("declarations", d.get("items", [])) if x.get("id")==sys.argv[1]))' "$id" 2>/dev/null || echo 0)
ms=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", 1000 * (b - a) }')
at_c=$(curl -s -o /dev/null -w '%{http_code}' "$(url c)/v1/declarations/$id")
if [[ $code == 201 && $listed == 1 && $at_c == 200 ]]; then
	record registry PASS "published at A (201), listed by B's next request (${ms} ms after the 201), GET at C 200"
else
	record registry FAIL "publish at A $code; listed by B: $listed; GET at C: $at_c"
fi

# (3) a PV result computed by A is a Redis hit at B and C
log "(3) cache: POST /v1/pv at A, then at B and C"
pv='{"site": "datong", "system": {"capacity_kwp": '$((RANDOM + 1000))', "tilt_deg": 33}}'
xc=()
for n in a b c; do
	xc+=("$n $(curl -s -o /dev/null -D - -H 'Content-Type: application/json' -d "$pv" "$(url "$n")/v1/pv" | tr -d '\r' | sed -n 's/^X-Cache: //Ip')")
done
if [[ ${xc[*]} == "a miss b hit-redis c hit-redis" ]]; then
	record cache PASS "X-Cache: ${xc[*]}"
else
	record cache FAIL "X-Cache: ${xc[*]} (want a miss, b and c hit-redis)"
fi

# (4) the write limit holds across replicas
log "(4) ratelimit: ${PHASE}s of publishes with one key through the load balancer, 8 connections"
read -r _ _ _ bad errs reqs < <(CONNS=8 METHOD=POST AUTH="Bearer $rl_key" BODY_FILE=bench/bodies/declaration.json VARY=production_t \
	wrk_run "$lb/v1/declarations" "${PHASE}s")
accepted=$(curl -s "$lb/v1/declarations?company=Replicas%20Rate%20Test&limit=500" |
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d.get("declarations", d.get("items", []))))')
expected=$(awk -v r="$RATE" -v t="$PHASE" -v b="$BURST" 'BEGIN { print r * t + b }')
dev=$(awk -v a="$accepted" -v e="$expected" 'BEGIN { printf "%+.1f", 100 * (a - e) / e }')
if awk -v d="$dev" 'BEGIN { exit !(d <= 10 && d >= -10) }' && ((errs == 0)); then
	record ratelimit PASS "$accepted writes accepted of $reqs sent through 3 replicas in ${PHASE} s; $RATE/s × $PHASE s + $BURST = $expected ($dev %); per-process limits would allow $((3 * expected))"
else
	record ratelimit FAIL "$accepted writes accepted of $reqs sent (expected $expected, $dev %; $errs socket errors)"
fi

log "restarting the replicas with high write limits for the load checks"
stop_all
start_all ALCARBON_RATE_LIMIT=1000000 ALCARBON_RATE_BURST=1000000
for n in "${names[@]}"; do lb_wait "$n" UP >/dev/null; done
read_url=$lb/v1/declarations/$id

# (5) SIGKILL one replica under load
log "(5) kill: $((2 * PHASE))s of reads (wrk, $CONNS connections) and publishes through the load balancer; SIGKILL B after $((2 * PHASE / 3))s"
retr0=$(lb_stat b wretr) redis0=$(lb_stat b wredis)
METHOD=GET BODY_FILE="" VARY="" wrk_run "$read_url" "$((2 * PHASE))s" >"$tmp/wrk-kill" &
wrk_pid=$!
bg_pids+=("$wrk_pid")
publisher "$((2 * PHASE))" "$tmp/ids-kill" >"$tmp/pub-kill" &
pub_pid=$!
bg_pids+=("$pub_pid")
sleep $((2 * PHASE / 3))
kill -KILL "${app_pid[b]}"
wait "${app_pid[b]}" 2>/dev/null || true
app_pid[b]=""
down_after=$(lb_wait b DOWN)
wait "$wrk_pid" || true
wait "$pub_pid" || true
read -r rps _ p99 bad errs reqs <"$tmp/wrk-kill"
read -r acked pub_other pub_errs pub_kinds <"$tmp/pub-kill"
lost=$(readable "$tmp/ids-kill")
# Declarations written but never acknowledged (a publish in flight at B that
# got no answer): the company's count less the one of check 2 and the acked.
unacked=$(($(company_count "Replicas Smelter") - 1 - acked))
retr=$(($(lb_stat b wretr) - retr0)) redis=$(($(lb_stat b wredis) - redis0))
fail_pct=$(pct $((bad + errs)) "$reqs")
if ((lost == 0 && acked > 0)) && awk -v p="$fail_pct" 'BEGIN { exit !(p <= 0.1) }'; then
	record kill PASS "wrk: $reqs reads, $((bad + errs)) failed ($fail_pct %), p99 $p99 ms; publishes: $acked acknowledged, 0 lost (other answers: $pub_other, publishes without an answer: $pub_errs, $pub_kinds; written without an acknowledgement: $unacked); HAProxy marked B down after $down_after s, retried $retr, redispatched $redis"
else
	record kill FAIL "wrk: $reqs reads, $bad non-2xx, $errs socket errors ($fail_pct %); publishes: $acked acknowledged, $lost not readable (other answers: $pub_other, publishes without an answer: $pub_errs, $pub_kinds)"
fi
start_replica b ALCARBON_RATE_LIMIT=1000000 ALCARBON_RATE_BURST=1000000
back_after=$(lb_wait b UP)

# (6) rolling restart of one replica under load
log "(6) rolling: reads and publishes through the load balancer; SIGTERM A, restart it, wait for HAProxy"
METHOD=GET BODY_FILE="" VARY="" wrk_run "$read_url" "$((2 * PHASE))s" >"$tmp/wrk-roll" &
wrk_pid=$!
bg_pids+=("$wrk_pid")
publisher "$((2 * PHASE))" "$tmp/ids-roll" >"$tmp/pub-roll" &
pub_pid=$!
bg_pids+=("$pub_pid")
sleep 1
t0=$(date +%s.%N)
kill -TERM "${app_pid[a]}"
sleep 0.2
draining=$(curl -s -o /dev/null -w '%{http_code}' "$(url a)/readyz")
out_after=$(lb_wait a DOWN)
a_rc=0
wait "${app_pid[a]}" || a_rc=$?
app_pid[a]=""
exited=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
start_replica a ALCARBON_RATE_LIMIT=1000000 ALCARBON_RATE_BURST=1000000
in_after=$(lb_wait a UP)
wait "$wrk_pid" || true
wait "$pub_pid" || true
read -r rps _ p99 bad errs reqs <"$tmp/wrk-roll"
read -r acked pub_other pub_errs pub_kinds <"$tmp/pub-roll"
lost=$(readable "$tmp/ids-roll")
if ((bad == 0 && errs == 0 && reqs > 0 && lost == 0 && acked > 0 && pub_errs == 0 && a_rc == 0)) && [[ $pub_other == none && $draining == 503 ]]; then
	record rolling PASS "wrk: $reqs reads, 0 failed, p99 $p99 ms; publishes: $acked acknowledged, 0 failed, 0 lost; A: /readyz $draining 0.2 s after SIGTERM, out of HAProxy after $out_after s, exit 0 after $exited s ($DRAIN drain), back in HAProxy $in_after s after its start"
else
	record rolling FAIL "wrk: $reqs reads, $bad non-2xx, $errs socket errors; publishes: $acked acknowledged, $lost lost, other answers $pub_other, publishes without an answer $pub_errs ($pub_kinds); A exit $a_rc, /readyz $draining during the drain"
fi

# (7) throughput: three replicas vs one, through the same load balancer
log "(7) scale: ${PHASE}s per run, $CONNS connections, three replicas in service then one"
scale() { # → "rps-uncached rps-read failed" (failed: non-2xx and socket errors of both runs)
	# Bases below 10,000,000 t, production_t's upper bound (bench/post.lua
	# adds up to THREADS × 100,000 + the requests of a thread).
	local v=$1 u r ubad uerr rbad rerr
	read -r u _ _ ubad uerr _ < <(METHOD=POST AUTH="" BODY_FILE=bench/bodies/primary.json VARY=production_t VARY_BASE=$v wrk_run "$lb/v1/footprints/primary" "${PHASE}s")
	read -r r _ _ rbad rerr _ < <(METHOD=GET BODY_FILE="" VARY="" wrk_run "$read_url" "${PHASE}s")
	echo "$u $r $((ubad + uerr + rbad + rerr))"
}
# Three, one, three: the ratio uses the mean of the two three-replica runs,
# so a drift over the run (warm-up, PostgreSQL growing) counts on both sides.
read -r t1_u t1_r t1_bad < <(scale 1000000)
hap "disable server replicas/b" >/dev/null
hap "disable server replicas/c" >/dev/null
read -r one_u one_r one_bad < <(scale 2000000)
hap "enable server replicas/b" >/dev/null
hap "enable server replicas/c" >/dev/null
lb_wait b UP >/dev/null
lb_wait c UP >/dev/null
read -r t2_u t2_r t2_bad < <(scale 3000000)
three_u=$(awk -v a="$t1_u" -v b="$t2_u" 'BEGIN { printf "%.0f", (a + b) / 2 }')
three_r=$(awk -v a="$t1_r" -v b="$t2_r" 'BEGIN { printf "%.0f", (a + b) / 2 }')
ratio_u=$(awk -v a="$three_u" -v b="$one_u" 'BEGIN { printf "%.2f", a / b }')
ratio_r=$(awk -v a="$three_r" -v b="$one_r" 'BEGIN { printf "%.2f", a / b }')
if [[ -n $t1_u && -n $t2_u && -n $one_u && -n $t1_r && -n $t2_r && -n $one_r ]] && ((t1_bad + one_bad + t2_bad == 0)); then
	record scale PASS "uncached primary footprints: 3 replicas $three_u req/s ($t1_u, $t2_u), 1 replica $one_u req/s, ×$ratio_u; declaration read: $three_r ($t1_r, $t2_r) vs $one_r req/s, ×$ratio_r ($(nproc) CPUs shared by replicas, HAProxy and wrk)"
else
	record scale FAIL "a wrk run gave no result or failed requests (three: ${t1_bad:-?} then ${t2_bad:-?}, one: ${one_bad:-?})"
fi

stop_all

# --- summary -----------------------------------------------------------------------
printf '\n%-10s %-5s %s\n' check result detail
printf '%s\n' "${results[@]}"
printf '(phases of %s s at %s connections; write limit %s/s, burst %s in check 4; drain %s; HAProxy %s; %s CPUs)\n' \
	"$PHASE" "$CONNS" "$RATE" "$BURST" "$DRAIN" "$(haproxy -v | awk 'NR == 1 { print $3 }')" "$(nproc)"
exit "$failed"
