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
#   <folder>/kafka/       what the brokers read: scram.env (every SCRAM user's password, for
#                         kafka-storage format --add-scram) and the brokers' own password
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

# principal <folder name> <SCRAM user> [<certificate path under pki/, without .pem>]
principal() {
  out="$folder/$1"
  mkdir -p "$out"
  [ -f "$out/ca.pem" ] || cp "$folder/pki/ca.pem" "$out/ca.pem"
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
      echo "ssl.ca.location=/etc/docrelay/pki/ca.pem"
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
mkdir -p "$folder/kafka"
if [ ! -f "$folder/kafka/broker.password" ]; then
  secret=$(password)
  echo "$secret" > "$folder/kafka/broker.password"
  echo "SCRAM-SHA-512=[name=broker,password=$secret]" >> "$folder/kafka/scram-users"
fi
chmod -R go-rwx "$folder/pki"
echo "principals' folders in $folder: relay agent-g22 agent-h58 provision kafka"
