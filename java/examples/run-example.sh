#!/usr/bin/env bash
# Runs the example job in a standalone Flink MiniCluster process (dev.flinkcutover.examples.Launcher).
# Build first: mvn -B -f java/pom.xml package -DskipTests (or verify). Arguments: see the README,
# "The example job". Example:
#   java/examples/run-example.sh --rest-port 18081 --input /tmp/in --output /tmp/out-blue --color blue
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/target/flink-cutover-example.jar"
if [ ! -f "$jar" ] || [ ! -f "$here/target/classpath.txt" ]; then
  echo "run-example.sh: $jar or target/classpath.txt is missing; build with: mvn -B -f java/pom.xml package -DskipTests" >&2
  exit 2
fi
opens="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:--Xmx512m} $opens -cp "$jar:$(cat "$here/target/classpath.txt")" dev.flinkcutover.examples.Launcher "$@"
