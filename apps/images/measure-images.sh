#!/usr/bin/env bash
# Prints the sizes of the two image tarballs and the producer container's start-up time (docs/images.md).
#
# Usage (from the repository root, after `./mvnw -DskipTests package`, with podman set up by
# ci/install-podman.sh):   bash apps/images/measure-images.sh [runs, default 5]
#
# Start-up time is the wall time of `podman run --rm` until the container has exited:
#  - base:     the offline JRE base printing `java -version` (podman + JVM start, nothing else);
#  - producer: the producer image given a bad flag (podman + JVM start + the producer's class loading and
#              flag parsing, then exit 2): the time before it could open its first Kafka connection.
# Figures depend on the machine; nothing asserts on them.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}

producer_tar=apps/producer/target/jib/taxi-producer.tar
streaming_tar=apps/streaming-job/target/jib/taxi-streaming-job.tar
base_tar=apps/images/jre-base/target/jib/jre-base-image.tar
for f in "$producer_tar" "$streaming_tar" "$base_tar"; do
  [ -f "$f" ] || { echo "missing $f: run ./mvnw -DskipTests package first" >&2; exit 1; }
done

python3 - "$base_tar" "$producer_tar" "$streaming_tar" <<'PY'
import io, json, sys, tarfile

def layers(path):
    with tarfile.open(path) as t:
        manifest = json.load(t.extractfile('manifest.json'))[0]
        result = []
        for name in manifest['Layers']:
            data = t.extractfile(name).read()
            with tarfile.open(fileobj=io.BytesIO(data), mode='r:gz') as layer:
                unpacked = sum(m.size for m in layer.getmembers() if m.isfile())
            result.append((name, len(data), unpacked))
        return result

mb = lambda n: f"{n / 1e6:.1f} MB"
base = {name for name, _, _ in layers(sys.argv[1])}
print("| image tarball | layers (own) | compressed: all / own layers | unpacked: all / own layers |")
print("|---|---|---|---|")
for path in sys.argv[1:]:
    ls = layers(path)
    own = [l for l in ls if l[0] not in base] if path != sys.argv[1] else ls
    print(f"| {path.split('/')[-1]} | {len(ls)} ({len(own)}) | {mb(sum(l[1] for l in ls))} / {mb(sum(l[1] for l in own))}"
          f" | {mb(sum(l[2] for l in ls))} / {mb(sum(l[2] for l in own))} |")
PY

if ! podman info >/dev/null 2>&1; then
  echo "podman cannot run here (see ci/install-podman.sh): no start-up figures" >&2
  exit 0
fi
podman load -q -i "$base_tar" >/dev/null
producer_ref=$(podman load -q -i "$producer_tar" | sed -n 's/^Loaded image[s]*: *//p' | head -1)

measure() { # label, podman run args...
  local label=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    podman run --rm --network=host "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  local sorted
  sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "| $label | $median ms | $sorted|"
}
echo
echo "| container start-up ($runs runs) | median | all (ms) |"
echo "|---|---|---|"
measure "jre base: java -version" localhost/taxi-jre-base:17
measure "producer: bad flag, exit 2" "$producer_ref" --no-such-flag
echo
echo "podman image sizes (unpacked, as stored):"
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'taxi-(producer|jre-base)' || true
# vfs storage keeps a full copy per layer: remove what this script loaded.
podman rmi --force "$producer_ref" localhost/taxi-jre-base:17 >/dev/null 2>&1 || true
