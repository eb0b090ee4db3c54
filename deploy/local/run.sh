#!/usr/bin/env bash
# Runs the whole pipeline locally: a real KRaft broker, the model simulator and the router, each its own process,
# then a demo workload and a per-tier summary. Needs only a JDK 17+; builds what is missing on first use.
# Options: --queries N --rate QPS --duration SECONDS --kafka-port P --config FILE --data-dir DIR --gateway-key KEY
# (see --help).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JARS=(router/target/cascade-router.jar gateway/target/gateway.jar cascadectl/target/cascadectl.jar simulator/target/model-simulator-all.jar deploy/local/target/local-stack.jar)
missing=0
for jar in "${JARS[@]}"; do
  [ -f "$ROOT/$jar" ] || missing=1
done
if [ "$missing" = 1 ]; then
  echo "building the services (first run; takes a few minutes)..."
  (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
fi
exec java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dcascade.home="$ROOT" \
  -jar "$ROOT/deploy/local/target/local-stack.jar" "$@"
