#!/usr/bin/env bash
# Baseline: parallel-ssh (Debian package pssh) running one command on many hosts.
# Usage: pssh.sh SSH_CONFIG PARALLELISM COMMAND HOST...
# -t 0: no time limit (the default 60 s would kill long runs); -x passes the test hosts' client config.
set -euo pipefail
[[ $# -ge 4 ]] || { echo "usage: $0 SSH_CONFIG PARALLELISM COMMAND HOST..." >&2; exit 2; }
config=$1 parallelism=$2 command=$3
shift 3
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
printf '%s\n' "$@" >"$hosts"
parallel-ssh -h "$hosts" -p "$parallelism" -t 0 -x "-F $config" "$command" >/dev/null
