#!/bin/sh
# Runs once in the postgres container: one role and one database per service.
set -eu
for svc in identity campaigns audience_sync billing; do
  upper=$(echo "$svc" | tr 'a-z' 'A-Z')
  eval pw=\"\${${upper}_DB_PASSWORD:?${upper}_DB_PASSWORD is required}\"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE adscale_${svc} WITH LOGIN PASSWORD '${pw}';
CREATE DATABASE adscale_${svc} OWNER adscale_${svc};
SQL
done
