#!/usr/bin/env bash
# The project's test run, as CI runs it (`bash .ci/run` calls this) and as a person can run it locally.
#
#  1. installs what the tests need beyond JDK 17 (Debian packages: promtool for the alert rules,
#     podman + runc to run the producer image) when missing and when we may (root + apt-get);
#  2. runs the README's test command, `./mvnw verify`, with the checks that must not be skipped in CI
#     turned into failures.
#
# Everything the tests start (Kafka, Cassandra, Spark, containers) is started by the build itself on
# 127.0.0.1 and stopped by it.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

java_major() { java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" != "17" ]; then
  for candidate in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-17-jdk-amd64 /usr/lib/jvm/java-17-openjdk; do
    if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; export PATH="$JAVA_HOME/bin:$PATH"; break; fi
  done
fi
log "Java: $(java -version 2>&1 | head -1)"

apt_ready=""
apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "cannot install $* (not root or no apt-get); the tests that need it will say so" >&2
    return 0
  fi
  if [ -z "$apt_ready" ]; then apt-get update -qq; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v promtool >/dev/null 2>&1; then
  log "Installing promtool (Debian package prometheus)"
  apt_install prometheus
fi

if [ -x ci/install-podman.sh ] || [ -f ci/install-podman.sh ]; then
  log "Installing/configuring podman with runc"
  bash ci/install-podman.sh
fi

extra=()
if [ "${CI:-}" = "true" ]; then
  # In CI a missing tool is a failure, not a skip.
  extra+=(-Dtaxi.require.promtool=true -Dtaxi.require.podman=true)
fi

log "Running the test suite: ./mvnw verify"
./mvnw -B -ntp verify "${extra[@]}" "$@"
