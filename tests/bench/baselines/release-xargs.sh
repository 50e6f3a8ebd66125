#!/usr/bin/env bash
# Baseline: the best shell one-liner an operator would use to release a package to many hosts:
# stream the package into `tar xzf -` on every host with xargs -P, then switch `current` atomically.
# Usage: release-xargs.sh SSH_CONFIG PARALLELISM PACKAGE DEPLOY_ROOT VERSION HOST...
set -euo pipefail
[[ $# -ge 6 ]] || { echo "usage: $0 SSH_CONFIG PARALLELISM PACKAGE DEPLOY_ROOT VERSION HOST..." >&2; exit 2; }
config=$1 parallelism=$2 package=$3 root=$4 version=$5
shift 5
release="$root/releases/$version"
printf '%s\n' "$@" | xargs -P "$parallelism" -I '{}' \
    sh -c 'ssh -F "$0" "$1" "mkdir -p $2 && tar xzf - -C $2" < "$3"' "$config" '{}' "$release" "$package"
printf '%s\n' "$@" | xargs -P "$parallelism" -I '{}' \
    ssh -F "$config" '{}' "ln -sfn releases/$version $root/.current.tmp && mv -T $root/.current.tmp $root/current"
