#!/usr/bin/env bash
# Benchmarks, one command per figure (see docs/BENCHMARKS.md):
#   deploy/local/bench.sh throughput [--queries N] [--repeats R]
#   deploy/local/bench.sh ledger [--attempts N] [--repeats R]
#   deploy/local/bench.sh latency [--rate QPS] [--seconds S] [--portkey PATH/build/start-server.js]
#   deploy/local/bench.sh gateway [--rate QPS] [--seconds S] [--open N] [--portkey PATH/build/start-server.js]
#   deploy/local/bench.sh memory [--rate QPS] [--seconds S]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
./mvnw -q -B -DskipTests install
./mvnw -q -B -pl deploy/local dependency:build-classpath -DincludeScope=test -Dmdep.outputFile=target/bench-cp.txt
CP="deploy/local/target/test-classes:deploy/local/target/classes:$(cat deploy/local/target/bench-cp.txt)"
mkdir -p target
EXTRA=()
if { [ "${1:-}" = latency ] || [ "${1:-}" = gateway ]; } && [[ " $* " != *" --portkey "* ]]; then
  # the peer gateway, from the npm registry, installed once under target/
  GATEWAY="$ROOT/target/portkey/node_modules/@portkey-ai/gateway/build/start-server.js"
  if [ ! -f "$GATEWAY" ] && command -v npm >/dev/null 2>&1; then
    npm install --silent --prefix "$ROOT/target/portkey" @portkey-ai/gateway >/dev/null
  fi
  [ -f "$GATEWAY" ] && EXTRA=(--portkey "$GATEWAY")
fi
exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -Dcascade.bench.dir="$ROOT/target" -Dcascade.home="$ROOT" \
  -cp "$CP" dev.cascade.local.bench.Benchmarks "$@" "${EXTRA[@]}"
