#!/usr/bin/env bash
# Builds Vermilion's JVM image with podman from service/target/quarkus-app (build it first: ./vermilion build).
#   build-image.sh [--tag IMAGE] [--base IMAGE]
# --tag   the image to make (default localhost/vermilion:latest)
# --base  a Java 25 runtime image to build on (e.g. eclipse-temurin:25-jre). Without it the script builds
#         localhost/vermilion-java-runtime:25 from $JAVA_HOME (a JDK 25) by jlink when that image is missing, so no
#         registry is needed.
# Podman reads CONTAINERS_CONF when set, else containers.conf beside this script (runc, cgroupfs, ulimits).
# Prints the image's size on the last line: "image IMAGE size BYTES".
set -euo pipefail
docker_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
service_dir="$(cd "$docker_dir/../../.." && pwd)"
tag="localhost/vermilion:latest"
base=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    *) echo "build-image.sh: unknown option $1 (use --tag IMAGE, --base IMAGE)" >&2; exit 2 ;;
  esac
done
command -v podman >/dev/null || { echo "build-image.sh: podman is not installed" >&2; exit 1; }
export CONTAINERS_CONF="${CONTAINERS_CONF:-$docker_dir/containers.conf}"
app="$service_dir/target/quarkus-app"
[ -f "$app/quarkus-run.jar" ] || { echo "build-image.sh: $app is missing; run ./vermilion build first" >&2; exit 1; }
work="$service_dir/target/container"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# The locally built base: a jlink-ed runtime (every java.se module plus what Lucene, Netty and the JVM's management
# need), the glibc files its native libraries load (found with ldd), an /etc/passwd naming the runtime user 1001, /tmp.
build_runtime() {
  local image="$1" jdk="${JAVA_HOME:-}"
  local major
  major="$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)" || true
  [ -x "$jdk/bin/jlink" ] && [ "${major:-0}" -ge 25 ] \
    || { echo "build-image.sh: JAVA_HOME must be a JDK 25 or newer (with jlink) to build $image; or pass --base" >&2; exit 1; }
  local rootfs="$work/runtime/rootfs"
  mkdir -p "$rootfs/opt/java" "$rootfs/etc" "$rootfs/tmp" "$rootfs/lib64"
  "$jdk/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.incubator.vector,jdk.management,jdk.jfr,jdk.crypto.ec,jdk.zipfs,jdk.net,jdk.naming.dns,jdk.charsets,jdk.crypto.cryptoki,jdk.localedata \
    --include-locales=en --strip-debug --no-man-pages --no-header-files --output "$rootfs/opt/java/openjdk" 2>&1 \
    | grep -v 'incubator modules' || true
  local lib
  # libgcc_s is loaded by glibc itself when a thread is cancelled, so ldd does not list it.
  for lib in $(ldd "$rootfs/opt/java/openjdk/bin/java" "$rootfs/opt/java/openjdk/lib/libjli.so" \
      "$rootfs/opt/java/openjdk/lib/server/libjvm.so" "$rootfs"/opt/java/openjdk/lib/lib{java,net,nio,zip,jimage,management,management_ext,extnet,verify,prefs,j2pkcs11,syslookup}.so 2>/dev/null \
      | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | sort -u) $(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ {print $NF; exit}'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nvermilion:x:1001:0:vermilion:/var/lib/vermilion:/sbin/nologin\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\n' > "$rootfs/etc/group"
  cp "$docker_dir/java-runtime/Containerfile" "$work/runtime/"
  podman build --quiet --tag "$image" "$work/runtime" >/dev/null
  echo "build-image.sh: built the Java runtime base $image" >&2
}

if [ -z "$base" ]; then
  base="localhost/vermilion-java-runtime:25"
  podman image exists "$base" || build_runtime "$base"
fi

mkdir -p "$work/context/volume"
cp -al "$app" "$work/context/quarkus-app" 2>/dev/null || cp -a "$app" "$work/context/quarkus-app"
plain="$tag-without-aot"
podman build --quiet --build-arg BASE_IMAGE="$base" --file "$docker_dir/Dockerfile.jvm" --tag "$plain" "$work/context" >/dev/null

# The AOT cache (JDK 25): start the image once with -XX:AOTCacheOutput in place of -XX:AOTCache, up to "started" (no
# network, so the catalog is refused at once and nothing is written but the cache), stop it (the JVM writes the cache
# on its orderly exit), and commit the container with the image's own user and entry point.
entrypoint="$(podman image inspect --format '{{json .Config.Entrypoint}}' "$plain")"
training="$(printf '%s' "$entrypoint" | sed 's#"-XX:AOTCache=/deployments/app.aot"#"-XX:AOTCacheOutput=/deployments/app.aot","-Dquarkus.datasource.reactive.url=postgresql://127.0.0.1:9/aot","-Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:9/aot","-Dquarkus.flyway.migrate-at-start=false","-Dvermilion.compaction.enabled=false"#')"
[ "$training" != "$entrypoint" ] || { echo "build-image.sh: the entry point has no -XX:AOTCache flag" >&2; exit 1; }
trainer="vermilion-aot-training-$$"
podman run --detach --name "$trainer" --user 0 --network none --memory 2g --entrypoint "$training" "$plain" >/dev/null
trap 'podman rm --force --volumes "$trainer" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for _ in $(seq 1 180); do
  podman logs "$trainer" 2>&1 | grep ' started in ' >/dev/null && break
  [ "$(podman inspect --format '{{.State.Running}}' "$trainer")" = "true" ] || break
  sleep 1
done
# (grep reads to the end rather than -q: with pipefail, podman logs cut off by an early exit fails the pipe.)
podman logs "$trainer" 2>&1 | grep ' started in ' >/dev/null || { podman logs "$trainer" >&2; echo "build-image.sh: the AOT training start failed" >&2; exit 1; }
podman stop --time 120 "$trainer" >/dev/null
podman diff "$trainer" | grep '/deployments/app.aot$' >/dev/null || { podman logs "$trainer" | tail -20 >&2; echo "build-image.sh: no AOT cache was written" >&2; exit 1; }
podman commit --quiet --change "USER 1001" --change "ENTRYPOINT $entrypoint" "$trainer" "$tag" >/dev/null
podman untag "$plain" >/dev/null 2>&1 || true
echo "image $tag size $(podman image inspect --format '{{.Size}}' "$tag")"
