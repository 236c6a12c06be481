# shellcheck shell=bash
# bench/lib.sh — what bench/reliability.sh, bench/replicas.sh and
# bench/batch.sh share: the results table, the run's temp dir, and a
# private Redis and PostgreSQL on loopback in it. Source it after
# scripts/lib.sh (as_pg, pg_bin, free_port), with log and die set; tmp and
# PG_BIN must be set (make_tmp, find_pg) before Redis or PostgreSQL starts.

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

# find_pg sets PG_BIN to the PostgreSQL server's bin directory, or dies.
find_pg() {
	PG_BIN=$(pg_bin)
	[[ -n $PG_BIN ]] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
}

# make_tmp NAME sets tmp to a new directory of this run (alcarbon-NAME.*),
# which the postgres user can reach; the caller's clean-up removes it.
make_tmp() {
	local base=${TMPDIR:-/tmp}
	[[ $EUID -eq 0 ]] && base=/tmp # the postgres user must reach the cluster
	tmp=$(mktemp -d "$base/alcarbon-$1.XXXXXX")
	chmod 755 "$tmp"
}

pg_port=$(free_port)
pg_dir=""
pg_data=""
pg_url=""
# init_pg creates a PostgreSQL cluster in pg_dir, $tmp/pg (trust, UTF8, C
# locale).
init_pg() {
	pg_dir=$tmp/pg
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

# setup_pg creates the cluster, starts it with the server options given
# (start_pg) and creates the database alcarbon, at pg_url.
setup_pg() {
	init_pg
	start_pg "$@"
	"$PG_BIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres alcarbon
	pg_url="postgres://postgres@127.0.0.1:$pg_port/alcarbon?sslmode=disable"
}

# stop_pg stops the cluster at once (-m immediate) if it runs: for a
# script's clean-up on exit.
stop_pg() {
	if [[ -n $pg_data && -f $pg_data/postmaster.pid ]]; then
		as_pg "$PG_BIN/pg_ctl" -D "$pg_data" -m immediate -w -t 30 stop >/dev/null 2>&1
	fi
}
