#!/bin/sh
# Container entry point: ROLE=api|worker|migrate for the service baked in at build time.
set -eu
service="${ADSCALE_SERVICE:?}"
module=$(echo "$service" | tr '-' '_')
# The sandbox is served by h11 with 16 MiB request heads (adscale_sandbox.main.SERVER_OPTIONS),
# so a Graph URL too long for Graph gets Graph's error rather than a plain-text 400.
server_options=""
case "$service" in
  gateway) port=8107 ;; identity) port=8101 ;; campaigns) port=8102 ;;
  audience-sync) port=8103 ;; billing) port=8104 ;; sandbox) port=8110; module=adscale_sandbox
    server_options="--http h11 --h11-max-incomplete-event-size 16777216" ;;
esac
case "${ROLE:-api}" in
  migrate)
    exec alembic -c "/app/services/$service/alembic.ini" upgrade head ;;
  worker)
    exec python -m "$module.worker" ;;
  api)
    if [ "${MIGRATE_ON_START:-0}" = "1" ] && [ -f "/app/services/$service/alembic.ini" ]; then
      alembic -c "/app/services/$service/alembic.ini" upgrade head
    fi
    exec uvicorn "$module.main:app" --host 0.0.0.0 --port "${PORT:-$port}" --no-access-log --proxy-headers $server_options ;;
  *) echo "unknown ROLE ${ROLE}" >&2; exit 2 ;;
esac
