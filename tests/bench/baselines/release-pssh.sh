#!/usr/bin/env bash
# Baseline: parallel-ssh (Debian package pssh) releasing a package to many hosts, in its two usual forms:
#   scp  parallel-scp the package (it always adds -C), then parallel-ssh to unpack and switch
#   -I   parallel-ssh -I with the package on stdin straight into tar (the fast way), then the switch
# Usage: release-pssh.sh scp|stdin SSH_CONFIG PARALLELISM PACKAGE DEPLOY_ROOT VERSION HOST...
set -euo pipefail
[[ $# -ge 7 ]] || { echo "usage: $0 scp|stdin SSH_CONFIG PARALLELISM PACKAGE DEPLOY_ROOT VERSION HOST..." >&2; exit 2; }
mode=$1 config=$2 parallelism=$3 package=$4 root=$5 version=$6
shift 6
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
printf '%s\n' "$@" >"$hosts"
release="$root/releases/$version"
switch="ln -sfn releases/$version $root/.current.tmp && mv -T $root/.current.tmp $root/current"
if [[ $mode == scp ]]; then
    parallel-ssh -h "$hosts" -p "$parallelism" -t 0 -x "-F $config" "mkdir -p $root/.packages" >/dev/null
    parallel-scp -h "$hosts" -p "$parallelism" -t 0 -x "-F $config" "$package" "$root/.packages/$version.tar.gz" >/dev/null
    parallel-ssh -h "$hosts" -p "$parallelism" -t 0 -x "-F $config" \
        "mkdir -p $release && tar xzf $root/.packages/$version.tar.gz -C $release && $switch" >/dev/null
else
    parallel-ssh -h "$hosts" -p "$parallelism" -t 0 -x "-F $config" -I "mkdir -p $release && tar xzf - -C $release" \
        <"$package" >/dev/null
    parallel-ssh -h "$hosts" -p "$parallelism" -t 0 -x "-F $config" "$switch" >/dev/null
fi
