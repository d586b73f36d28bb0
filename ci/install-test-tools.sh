#!/usr/bin/env bash
# Installs what the test suite needs beyond JDK 17, when missing and when we may (root + apt-get):
#  - promtool (Debian package `prometheus`) for the alert-rule tests;
#  - podman + runc, configured for this kind of machine (ci/install-podman.sh), to run the producer image.
# Also points JAVA_HOME at a JDK 17 when the default java is another version.
#
# `.ci/run` sources it before the README's test command; a person can run it the same way:
#   source ci/install-test-tools.sh && ./mvnw verify
# Without these tools the tests that need them skip with the reason (unless -Dtaxi.require.*=true).

_ci_log() { printf '\n==> %s\n' "$*"; }

_ci_java_major() { java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'; }
if ! command -v java >/dev/null 2>&1 || [ "$(_ci_java_major)" != "17" ]; then
  for _ci_jdk in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-17-jdk-amd64 /usr/lib/jvm/java-17-openjdk; do
    if [ -x "$_ci_jdk/bin/java" ]; then export JAVA_HOME="$_ci_jdk"; export PATH="$JAVA_HOME/bin:$PATH"; break; fi
  done
fi
_ci_log "Java: $(java -version 2>&1 | head -1)"

_ci_apt_ready=""
_ci_apt_install() {
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "cannot install $* (not root or no apt-get); the tests that need it will say so" >&2
    return 0
  fi
  if [ -z "$_ci_apt_ready" ]; then apt-get update -qq; _ci_apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v promtool >/dev/null 2>&1; then
  _ci_log "Installing promtool (Debian package prometheus)"
  _ci_apt_install prometheus
fi

_ci_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_ci_log "Installing/configuring podman with runc"
bash "$_ci_here/install-podman.sh"
