# shellcheck shell=bash
# scripts/lib.sh — shell helpers shared by scripts/test.sh, scripts/e2e.sh,
# scripts/pact-conformance.sh and the bench/ scripts. Source it after
# defining log and die (each script prefixes its own messages).

# as_root runs a command as root: directly, or through sudo if available.
as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root or sudo to run: $*"
	fi
}

# apt_install installs Debian packages quietly, as root; nothing when none
# are named.
apt_install() {
	(($#)) || return 0
	log "installing $*"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# stop_process stops a background process of the script (SIGTERM, then
# waits for it), if it is running.
stop_process() {
	local pid=$1
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
}

# wait_ready polls URL until it answers 2xx (extra curl options after it,
# e.g. --cacert), for 15 s at most; if the process PID dies or time runs
# out, it prints LOG and dies.
wait_ready() {
	local url=$1 pid=$2 logfile=$3 i
	shift 3
	for ((i = 0; ; i++)); do
		if curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; then
			return 0
		fi
		if ((i >= 150)) || ! kill -0 "$pid" 2>/dev/null; then
			cat "$logfile" >&2
			die "the server did not become ready at $url"
		fi
		sleep 0.1
	done
}

# as_pg runs a PostgreSQL server command; postgres refuses to run as root, so
# as root it runs as the postgres user.
as_pg() {
	if [[ $EUID -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg_bin prints the bin dir of the newest installed PostgreSQL server, if any.
pg_bin() {
	local d
	d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
	if [[ -n $d && -x $d/initdb && -x $d/pg_ctl && -x $d/pg_isready ]]; then
		echo "$d"
	fi
}

# free_port prints a TCP port free on 127.0.0.1 now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
