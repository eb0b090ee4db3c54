#!/bin/sh
# Starts the service named by $SERVICE with its config from /etc/cascade (mount your own over it).
set -eu
JAVA_OPTS="${JAVA_OPTS:--XX:MaxRAMPercentage=75 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn}"
case "$SERVICE" in
  router)    exec java $JAVA_OPTS -jar /opt/cascade/cascade-router.jar --config /etc/cascade/router.yaml ;;
  ledger)    exec java $JAVA_OPTS -jar /opt/cascade/cost-ledger.jar --config /etc/cascade/ledger.yaml ;;
  gateway)   exec java $JAVA_OPTS -jar /opt/cascade/gateway.jar --config /etc/cascade/gateway.yaml ;;
  simulator) exec java $JAVA_OPTS -jar /opt/cascade/model-simulator-all.jar --config /etc/cascade/simulator.yaml ;;
  *) echo "SERVICE must be router, ledger, gateway or simulator, got '$SERVICE'" >&2; exit 2 ;;
esac
