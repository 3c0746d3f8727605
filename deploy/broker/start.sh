#!/bin/bash
# Starts an Apache Kafka broker of docker-compose.yml (image apache/kafka) with SASL/SCRAM over TLS:
# on first start, formats its storage with every SCRAM user init-pki.sh made (kafka-storage format
# --add-scram: the users exist before any broker listens, so no one ever connects unauthenticated),
# then runs the image's own start (/etc/kafka/docker/run), which finds the storage formatted.
# The brokers' own SCRAM password (inter-broker listener) is read here, never put in compose.
set -euo pipefail
secrets=/etc/kafka/secrets/docrelay
data=${KAFKA_LOG_DIRS:?}
broker_password=$(cat "$secrets/broker.password")
export KAFKA_LISTENER_NAME_INTERNAL_SCRAM___SHA___512_SASL_JAAS_CONFIG="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"broker\" password=\"$broker_password\";"
export KAFKA_SSL_KEYSTORE_LOCATION="$secrets/kafka-$KAFKA_NODE_ID.pem"
if [ ! -f "$data/meta.properties" ]; then
  format=$(mktemp)
  cat > "$format" <<PROPERTIES
process.roles=$KAFKA_PROCESS_ROLES
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$KAFKA_CONTROLLER_QUORUM_VOTERS
controller.listener.names=$KAFKA_CONTROLLER_LISTENER_NAMES
listeners=$KAFKA_LISTENERS
listener.security.protocol.map=$KAFKA_LISTENER_SECURITY_PROTOCOL_MAP
inter.broker.listener.name=$KAFKA_INTER_BROKER_LISTENER_NAME
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
log.dirs=$data
PROPERTIES
  scram=()
  while IFS= read -r user; do [ -n "$user" ] && scram+=(--add-scram "$user"); done < "$secrets/scram-users"
  /opt/kafka/bin/kafka-storage.sh format --config "$format" --cluster-id "$CLUSTER_ID" "${scram[@]}"
  rm -f "$format"
fi
exec /etc/kafka/docker/run
