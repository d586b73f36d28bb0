#!/usr/bin/env bash
# Installs and configures podman with runc so the image tests can run the producer image
# (apps/local-services ...images.ProducerImageRunIT). Safe to run again: it only writes the config
# files it owns and installs what is missing.
#
# Why this configuration (the pitfalls seen on these machines):
#  - runtime runc: crun fails in this kind of sandbox;
#  - cgroup_manager cgroupfs and events_logger file: there is no systemd;
#  - storage driver vfs: no overlay/fuse-overlayfs inside the sandbox;
#  - explicit default_ulimits: the hard limits here are fixed, and podman's defaults ask for more
#    than they allow, so every container would fail to start.
#
# Usage: bash ci/install-podman.sh   (as root for apt-get and /etc; otherwise per-user config only)
set -euo pipefail

log() { printf '[install-podman] %s\n' "$*"; }

if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages podman runc"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc >/dev/null
  else
    log "podman/runc missing and cannot install them (not root or no apt-get); the image run test will skip with the reason"
    exit 0
  fi
fi

if [ "$(id -u)" = "0" ]; then
  conf_dir=/etc/containers
  runroot=/run/containers/storage
  graphroot=/var/lib/containers/storage
else
  conf_dir="${XDG_CONFIG_HOME:-$HOME/.config}/containers"
  runroot="${XDG_RUNTIME_DIR:-/tmp/podman-run-$(id -u)}/containers"
  graphroot="${XDG_DATA_HOME:-$HOME/.local/share}/containers/storage"
fi
mkdir -p "$conf_dir"

# Hard limits can be lower than podman's defaults; never ask for more than the shell may have.
nofile=1024
nproc=4096
hard_nofile=$(ulimit -Hn)
hard_nproc=$(ulimit -Hu)
if [ "$hard_nofile" != "unlimited" ] && [ "$hard_nofile" -lt "$nofile" ]; then nofile=$hard_nofile; fi
if [ "$hard_nproc" != "unlimited" ] && [ "$hard_nproc" -lt "$nproc" ]; then nproc=$hard_nproc; fi

cat >"$conf_dir/containers.conf" <<EOF
# Written by taxi-platform ci/install-podman.sh
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF

cat >"$conf_dir/storage.conf" <<EOF
# Written by taxi-platform ci/install-podman.sh
[storage]
driver = "vfs"
runroot = "${runroot}"
graphroot = "${graphroot}"
EOF

# A storage driver change needs a fresh store; only reset when the old one used another driver.
current_driver=$(podman info --format '{{.Store.GraphDriverName}}' 2>/dev/null || true)
if [ -n "$current_driver" ] && [ "$current_driver" != "vfs" ]; then
  log "storage driver was '$current_driver'; resetting podman storage to use vfs"
  podman system reset --force >/dev/null 2>&1 || true
fi

log "$(podman --version), runtime: $(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null || echo '?'), storage: $(podman info --format '{{.Store.GraphDriverName}}' 2>/dev/null || echo '?')"
