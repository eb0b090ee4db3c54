#!/usr/bin/env bash
# Benchmarks, one command per figure (see docs/BENCHMARKS.md):
#   deploy/local/bench.sh throughput [--queries N] [--repeats R]
#   deploy/local/bench.sh ledger [--attempts N] [--repeats R]
#   deploy/local/bench.sh latency [--rate QPS] [--seconds S] [--portkey PATH/build/start-server.js]
#   deploy/local/bench.sh memory [--rate QPS] [--seconds S]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
./mvnw -q -B -DskipTests install
./mvnw -q -B -pl deploy/local dependency:build-classpath -DincludeScope=test -Dmdep.outputFile=target/bench-cp.txt
CP="deploy/local/target/test-classes:deploy/local/target/classes:$(cat deploy/local/target/bench-cp.txt)"
mkdir -p target
exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -Dcascade.bench.dir="$ROOT/target" -Dcascade.home="$ROOT" \
  -cp "$CP" dev.cascade.local.bench.Benchmarks "$@"
