#!/usr/bin/env bash
# Baseline: stream one file through an exec channel with plain OpenSSH (`ssh host 'cat > f' < file`).
# Usage: ssh-cat.sh SSH_CONFIG LOCAL_FILE HOST REMOTE_PATH
set -euo pipefail
[[ $# -eq 4 ]] || { echo "usage: $0 SSH_CONFIG LOCAL_FILE HOST REMOTE_PATH" >&2; exit 2; }
ssh -F "$1" "$3" "cat > $(printf '%q' "$4")" <"$2"
