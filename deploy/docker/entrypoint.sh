#!/bin/sh
# Container entry point: ROLE=api|worker|migrate for the service baked in at build time.
set -eu
service="${ADSCALE_SERVICE:?}"
module=$(echo "$service" | tr '-' '_')
case "$service" in
  gateway) port=8107 ;; identity) port=8101 ;; campaigns) port=8102 ;;
  audience-sync) port=8103 ;; billing) port=8104 ;; sandbox) port=8110; module=adscale_sandbox ;;
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
    exec uvicorn "$module.main:app" --host 0.0.0.0 --port "${PORT:-$port}" --no-access-log --proxy-headers ;;
  *) echo "unknown ROLE ${ROLE}" >&2; exit 2 ;;
esac
