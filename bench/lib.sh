# Sourced by the benchmark scripts (from the repository root): picks the newest JDK >= 21 as the launcher does,
# sets JAVA and the JVM FLAGS the server runs with, and defines start_s3proxy.
source <(sed -n '/^java_major()/p;/^pick_java()/,/^}/p' vermilion)
pick_java
JAVA="$JAVA_HOME/bin/java"
FLAGS=(--add-modules jdk.incubator.vector --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --enable-native-access=ALL-UNNAMED
  -XX:InitialRAMPercentage=25 -XX:MaxHeapFreeRatio=100) # and the launcher's SERVER_HEAP_FLAGS: heap starts at -Xmx

# start_s3proxy WORK PORT starts S3Proxy (filesystem backend under WORK/s3, no
# auth, identity/credential "bench") on loopback, waits for it, creates bucket "bench" and appends its pid to pids.
start_s3proxy() {
  local work="$1" port="$2"
  mkdir -p "$work/s3"
  cat > "$work/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=none
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$work/s3
jclouds.identity=bench
jclouds.credential=bench
PROPS
  "$JAVA" -jar service/target/s3proxy/s3proxy.jar --properties "$work/s3proxy.properties" > "$work/s3proxy.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 120); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.5; done
  curl -sf -X PUT "http://127.0.0.1:$port/bench" >/dev/null || true
}
