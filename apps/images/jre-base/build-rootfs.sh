#!/usr/bin/env bash
# Assembles the root file system of a minimal JRE 17 base image, offline, from the build's own JDK:
#   /opt/java/openjdk   a jlink'ed runtime with the modules the producer needs
#   /lib..., /lib64...  exactly the shared libraries that runtime links against (found with ldd)
#   /etc/passwd, group  root and the non-root user 65532 (nonroot) the producer image runs as
#   /tmp                world-writable (snappy/lz4/zstd unpack native code there)
# Jib then packs this directory into an image tarball (see pom.xml). Used only where the production
# base (eclipse-temurin 17 JRE) cannot be pulled, i.e. in CI, to run the producer image in podman.
#
# Usage: build-rootfs.sh <output dir> <java home of a JDK 17 with jmods> <comma-separated modules>
set -euo pipefail

out=$1
java_home=$2
modules=$3

if [ ! -d "$java_home/jmods" ]; then
  echo "build-rootfs.sh: $java_home has no jmods/ directory; jlink needs a full JDK 17 (Debian: openjdk-17-jdk-headless)" >&2
  exit 1
fi
command -v ldd >/dev/null || { echo "build-rootfs.sh: ldd not found (Debian package libc-bin)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/opt/java" "$out/etc" "$out/tmp"

"$java_home/bin/jlink" \
  --module-path "$java_home/jmods" \
  --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$out/opt/java/openjdk"

# Every shared library outside the runtime that its executables and libraries need, at the same
# absolute path (the dynamic loader's own path is hard-coded in each executable).
libs=$(find "$out/opt/java/openjdk" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
  | xargs -0 ldd 2>/dev/null \
  | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' \
  | grep -v "^$out" | sort -u)
for lib in $libs; do
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done

cat >"$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$out/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
cat >"$out/etc/nsswitch.conf" <<'NSS'
passwd: files
group: files
hosts: files dns
NSS
mkdir -p "$out/home/nonroot" "$out/root"

# Smoke check on the host: the runtime starts with only what it was given.
"$out/opt/java/openjdk/bin/java" -version 2>&1 | head -1
echo "build-rootfs.sh: $(du -sh "$out" | cut -f1) in $out; libraries: $(echo $libs)"
