# shellcheck shell=bash
# scripts/lib.sh — shell helpers shared by scripts/test.sh and scripts/e2e.sh.
# Source it after defining die (each script prefixes its own messages).

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
