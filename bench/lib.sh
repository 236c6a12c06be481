# shellcheck shell=bash
# bench/lib.sh — what bench/reliability.sh and bench/replicas.sh share: the
# results table and a private Redis and PostgreSQL on loopback in $tmp.
# Source it after scripts/lib.sh (as_pg, free_port), with log, die, tmp and
# PG_BIN set.

results=()
failed=0
# record adds a line to the results table and logs it: check status detail.
record() {
	results+=("$(printf '%-10s %-5s %s' "$1" "$2" "$3")")
	[[ $2 == PASS ]] || failed=1
	log "$1: $2 — $3"
}

redis_port=$(free_port)
# start_redis starts redis-server on redis_port without persistence and
# waits for PONG; redis_pid is its pid.
start_redis() {
	redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$tmp" --save '' --appendonly no \
		--protected-mode yes --logfile "$tmp/redis.log" &
	redis_pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ $(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null) == PONG ]] && return
		sleep 0.1
	done
	die "redis-server did not start"
}

pg_port=$(free_port)
pg_dir=$tmp/pg
pg_data=""
# init_pg creates a PostgreSQL cluster in pg_dir (trust, UTF8, C locale).
init_pg() {
	mkdir "$pg_dir"
	[[ $EUID -eq 0 ]] && chown postgres: "$pg_dir"
	as_pg "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$tmp/initdb.log" 2>&1 ||
		{ cat "$tmp/initdb.log" >&2; die "initdb failed"; }
	pg_data=$pg_dir/data
}

# start_pg starts the cluster on pg_port (fsync off: no machine crash is
# simulated; synchronous_commit stays on) with any extra server options
# given, and waits until it answers.
start_pg() {
	as_pg "$PG_BIN/pg_ctl" -D "$pg_data" -l "$pg_dir/server.log" -w -t 60 \
		-o "-p $pg_port -k '$pg_dir' -c listen_addresses=127.0.0.1 -c fsync=off $*" start >/dev/null ||
		{ cat "$pg_dir/server.log" >&2; die "PostgreSQL did not start"; }
	for ((i = 0; i < 100; i++)); do
		"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$pg_port" && return
		sleep 0.1
	done
	die "PostgreSQL did not answer"
}
