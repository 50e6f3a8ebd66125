#!/usr/bin/env bash
# Baseline: OpenSSH scp of one file (OpenSSH 9 scp speaks SFTP by default; pass -O as 4th argument
# for the legacy scp protocol).
# Usage: scp.sh SSH_CONFIG LOCAL_FILE HOST:REMOTE_PATH [EXTRA_SCP_OPTION]
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 SSH_CONFIG LOCAL_FILE HOST:REMOTE_PATH [OPTION]" >&2; exit 2; }
scp -q -F "$1" ${4:+"$4"} "$2" "$3"
