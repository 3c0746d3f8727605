#!/bin/sh
# Development PKI and directory for docker-compose.yml: a CA, the national hub's relay
# certificate, and the sample agencies (levels 1 to 4). Idempotent: keeps an existing pki/.
# Usage: deploy/init-pki.sh <folder> [bootstrap]
set -eu
folder=${1:?usage: init-pki.sh <folder> [bootstrap]}
bootstrap=${2:-kafka-1:19092,kafka-2:19092,kafka-3:19092}
docrelay=${DOCRELAY:-docrelay}
if [ -f "$folder/pki/directory.yaml" ]; then
  echo "keeping $folder/pki"
  exit 0
fi
exec "$docrelay" pki init --out "$folder/pki" --bootstrap-servers "$bootstrap" --hub national \
  --agency "000.00.00.G22@national=Văn phòng Chính phủ" \
  --agency "000.00.00.H58@national=UBND tỉnh Tiền Giang" \
  --agency "000.00.12.H58@national=UBND huyện Cái Bè" \
  --agency "000.00.00.H53@national=UBND tỉnh Tây Ninh" \
  --agency "000.00.32.H53@national=Sở Nội vụ tỉnh Tây Ninh"
