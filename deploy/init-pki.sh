#!/bin/sh
# Development PKI and directory for docker-compose.yml: a CA, the national hub's relay
# certificate, and the sample agencies (levels 1 to 4), then one folder per principal holding only
# what that principal may read. Idempotent: keeps what exists.
# Usage: deploy/init-pki.sh <folder> [bootstrap]
#
#   <folder>/pki/         the whole development PKI, the CA's key included (pki-init's volume only)
#   <folder>/relay/       ca.pem, directory.yaml, hubs/national.{pem,key}, kafka.properties
#   <folder>/agent-g22/   ca.pem, directory.yaml, agencies/000.00.00.G22.{pem,key}, kafka.properties
#   <folder>/agent-h58/   ca.pem, directory.yaml, agencies/000.00.00.H58.{pem,key}, kafka.properties
#   <folder>/provision/   ca.pem, directory.yaml, kafka.properties (the Kafka administrator)
#   <folder>/kafka/       what the brokers read: scram-users (every SCRAM user and password, for
#                         kafka-storage format --add-scram), broker.password, the Kafka TLS CA
#                         (kafka-ca.pem; its key kafka-ca.key stays in <folder>/pki) and each
#                         broker's PEM keystore kafka-N.pem (key + certificate, DNS name kafka-N)
#
# Kafka's TLS has its own CA, apart from the documents' CA: trusting a broker says nothing about
# who may sign a document. Needs the openssl command for it (the image installs it).
#
# Each principal's folder is mounted read-only at /etc/docrelay/pki in its container, so the
# configurations' paths (pki/ca.pem, pki/hubs/national.key...) are the same in every container.
# kafka.properties: librdkafka's SASL_SSL settings with the principal's SCRAM-SHA-512 user
# (its name is the principal the ACLs of `docrelay provision` name) and a random password.
set -eu
folder=${1:?usage: init-pki.sh <folder> [bootstrap]}
bootstrap=${2:-kafka-1:19092,kafka-2:19092,kafka-3:19092}
docrelay=${DOCRELAY:-docrelay}
umask 077
if [ -f "$folder/pki/directory.yaml" ]; then
  echo "keeping $folder/pki"
else
  "$docrelay" pki init --out "$folder/pki" --bootstrap-servers "$bootstrap" --hub national \
    --agency "000.00.00.G22@national=Văn phòng Chính phủ" \
    --agency "000.00.00.H58@national=UBND tỉnh Tiền Giang" \
    --agency "000.00.12.H58@national=UBND huyện Cái Bè" \
    --agency "000.00.00.H53@national=UBND tỉnh Tây Ninh" \
    --agency "000.00.32.H53@national=Sở Nội vụ tỉnh Tây Ninh"
fi

# A random password: 32 bytes from the kernel, hex (no character SCRAM or a properties file quotes).
password() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

# The Kafka TLS CA and one certificate per broker (server and client: the brokers reach the
# controllers over TLS with it, mapped to the principal User:broker).
mkdir -p "$folder/kafka"
if [ ! -f "$folder/kafka/kafka-ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
    -subj "/CN=DocRelay Kafka TLS CA" -keyout "$folder/pki/kafka-ca.key" -out "$folder/kafka/kafka-ca.pem" 2>/dev/null
fi
for n in 1 2 3; do
  [ -f "$folder/kafka/kafka-$n.pem" ] && continue
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=kafka-$n" \
    -keyout "$folder/kafka/kafka-$n.key" -out "$folder/kafka/kafka-$n.csr" 2>/dev/null
  printf 'subjectAltName=DNS:kafka-%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature\n' "$n" > "$folder/kafka/kafka-$n.ext"
  openssl x509 -req -in "$folder/kafka/kafka-$n.csr" -CA "$folder/kafka/kafka-ca.pem" -CAkey "$folder/pki/kafka-ca.key" \
    -CAcreateserial -days 825 -extfile "$folder/kafka/kafka-$n.ext" -out "$folder/kafka/kafka-$n.crt" 2>/dev/null
  # Kafka's PEM keystore: the unencrypted PKCS#8 key, then the certificate chain.
  openssl pkcs8 -topk8 -nocrypt -in "$folder/kafka/kafka-$n.key" > "$folder/kafka/kafka-$n.pem"
  cat "$folder/kafka/kafka-$n.crt" "$folder/kafka/kafka-ca.pem" >> "$folder/kafka/kafka-$n.pem"
  rm -f "$folder/kafka/kafka-$n.key" "$folder/kafka/kafka-$n.csr" "$folder/kafka/kafka-$n.ext" "$folder/kafka/kafka-$n.crt"
done
rm -f "$folder/kafka/kafka-ca.srl" "$folder/pki/kafka-ca.srl"

# principal <folder name> <SCRAM user> [<certificate path under pki/, without .pem>]
principal() {
  out="$folder/$1"
  mkdir -p "$out"
  [ -f "$out/ca.pem" ] || cp "$folder/pki/ca.pem" "$out/ca.pem"
  [ -f "$out/kafka-ca.pem" ] || cp "$folder/kafka/kafka-ca.pem" "$out/kafka-ca.pem"
  [ -f "$out/directory.yaml" ] || cp "$folder/pki/directory.yaml" "$out/directory.yaml"
  if [ -n "${3:-}" ] && [ ! -f "$out/$3.key" ]; then
    mkdir -p "$out/$(dirname "$3")"
    cp "$folder/pki/$3.pem" "$out/$3.pem"
    cp "$folder/pki/$3.key" "$out/$3.key"
  fi
  if [ ! -f "$out/kafka.properties" ]; then
    secret=$(password)
    {
      echo "# librdkafka: SASL/SCRAM over TLS as $2 (made by init-pki.sh; rotate: docs/operations.md)"
      echo "security.protocol=sasl_ssl"
      echo "sasl.mechanisms=SCRAM-SHA-512"
      echo "sasl.username=$2"
      echo "sasl.password=$secret"
      echo "ssl.ca.location=/etc/docrelay/pki/kafka-ca.pem"
      echo "ssl.endpoint.identification.algorithm=https"
    } > "$out/kafka.properties"
    mkdir -p "$folder/kafka"
    echo "SCRAM-SHA-512=[name=$2,password=$secret]" >> "$folder/kafka/scram-users"
  fi
  chmod -R go-rwx "$out"
}

principal relay relay-national hubs/national
principal agent-g22 000.00.00.G22 agencies/000.00.00.G22
principal agent-h58 000.00.00.H58 agencies/000.00.00.H58
principal provision admin
if [ ! -f "$folder/kafka/broker.password" ]; then
  secret=$(password)
  echo "$secret" > "$folder/kafka/broker.password"
  echo "SCRAM-SHA-512=[name=broker,password=$secret]" >> "$folder/kafka/scram-users"
fi
chmod -R go-rwx "$folder/pki"
# The brokers run as Apache Kafka's appuser (uid 1000), not docrelay: their folder is readable by
# the group the image gives both (kafka, gid 1000; deploy/Dockerfile).
chgrp -R "${KAFKA_GID:-1000}" "$folder/kafka" 2>/dev/null || echo "note: $folder/kafka not given to gid ${KAFKA_GID:-1000}" >&2
chmod -R g+rX,g-w,o-rwx "$folder/kafka"
echo "principals' folders in $folder: relay agent-g22 agent-h58 provision kafka"
