#!/usr/bin/env bash
# Baseline: ansible-playbook releasing a package (copy + shell tar, or unarchive), then the symlink switch.
# Usage: release-ansible.sh copy|unarchive SSH_CONFIG PARALLELISM PACKAGE DEPLOY_ROOT VERSION HOST...
# forks = PARALLELISM, pipelining on, facts off, the test hosts' ssh_config; ControlPersist masters are
# not reused between runs (a private control path per run), so each run starts cold like the others.
set -euo pipefail
[[ $# -ge 7 ]] || { echo "usage: $0 copy|unarchive SSH_CONFIG PARALLELISM PACKAGE DEPLOY_ROOT VERSION HOST..." >&2; exit 2; }
mode=$1 config=$2 parallelism=$3 package=$4 root=$5 version=$6
shift 6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{ echo "[hosts]"; printf '%s\n' "$@"; } >"$work/inventory"
cat >"$work/ansible.cfg" <<CFG
[defaults]
forks = $parallelism
host_key_checking = False
interpreter_python = /usr/bin/python3
gathering = explicit
stdout_callback = null
[ssh_connection]
pipelining = True
ssh_args = -F $config -o ControlMaster=auto -o ControlPersist=60s
control_path_dir = $work/cp
CFG
cat >"$work/release.yml" <<YML
- hosts: hosts
  gather_facts: false
  tasks:
    - file: {path: "$root/releases/$version", state: directory}
    - copy: {src: "$package", dest: "$root/$version.tar.gz"}
      when: mode == "copy"
    - shell: "tar xzf $root/$version.tar.gz -C $root/releases/$version"
      when: mode == "copy"
    - unarchive: {src: "$package", dest: "$root/releases/$version"}
      when: mode == "unarchive"
    - file: {src: "releases/$version", dest: "$root/current", state: link, force: true}
YML
ANSIBLE_CONFIG="$work/ansible.cfg" ansible-playbook -i "$work/inventory" -e "mode=$mode" "$work/release.yml" >/dev/null
# Ends the run's ControlPersist masters, so none carries over into the next measurement.
for socket in "$work"/cp/*; do [[ -S $socket ]] && ssh -o ControlPath="$socket" -O exit dummy 2>/dev/null || true; done
