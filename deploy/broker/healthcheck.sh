#!/bin/bash
# Healthcheck of an Apache Kafka broker of docker-compose.yml: healthy once this broker answers
# an authenticated client on its own INTERNAL listener (TLS, SASL/SCRAM as the brokers' user) and
# lists itself among the cluster's brokers (a broker appears in the metadata only once the
# controllers have registered and unfenced it). Listening is not enough: a broker accepts
# connections before it has caught up with the cluster's metadata.
set -euo pipefail
secrets=/etc/kafka/secrets/docrelay
host="kafka-$KAFKA_NODE_ID"   # the name its certificate carries (endpoint identification is on)
umask 077
client=$(mktemp)
trap 'rm -f "$client"' EXIT
password=$(cat "$secrets/broker.password")
cat > "$client" <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$password";
ssl.truststore.type=PEM
ssl.truststore.location=$secrets/kafka-ca.pem
PROPERTIES
versions=$(KAFKA_HEAP_OPTS="-Xmx64m" /opt/kafka/bin/kafka-broker-api-versions.sh \
  --bootstrap-server "$host:19092" --command-config "$client")
grep -q "^$host:19092 (id: $KAFKA_NODE_ID " <<<"$versions"
