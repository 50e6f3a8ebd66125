#!/usr/bin/env bash
# Baseline: what an operator would type to run one command on many hosts with plain OpenSSH.
# Usage: ssh-xargs.sh SSH_CONFIG PARALLELISM COMMAND HOST...
# Exits non-zero when the command failed on any host (xargs reports 123).
set -euo pipefail
[[ $# -ge 4 ]] || { echo "usage: $0 SSH_CONFIG PARALLELISM COMMAND HOST..." >&2; exit 2; }
config=$1 parallelism=$2 command=$3
shift 3
printf '%s\n' "$@" | xargs -P "$parallelism" -I '{}' ssh -F "$config" '{}' "$command"
