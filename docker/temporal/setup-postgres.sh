#!/bin/sh
# Creates (or upgrades) Temporal's two PostgreSQL databases before the server starts.
# Runs in temporalio/admin-tools (docker compose) and outside it (scripts/cluster.mjs, with the sql tool built
# from the same server version): the schemas are the ones embedded in the sql tool, so no schema directory is
# needed. Safe to rerun: each step is a no-op on a schema already current.
#   POSTGRES_SEEDS, POSTGRES_USER, SQL_PASSWORD, DB_PORT (5432), TEMPORAL_SQL_TOOL (temporal-sql-tool)
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS names the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER names the PostgreSQL user}"
: "${SQL_PASSWORD:?SQL_PASSWORD is the PostgreSQL password}"
port="${DB_PORT:-5432}"
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
# temporal-sql-tool reads the password from SQL_PASSWORD.
sql() { "$tool" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$database" "$@"; }

for database in temporal temporal_visibility; do
  case "$database" in
    temporal) embedded=postgresql/v12/temporal ;;
    *) embedded=postgresql/v12/visibility ;;
  esac
  echo "schema setup: $database"
  # create fails when the database exists (a restart with the volume kept); setup-schema then finds it.
  sql create || echo "schema setup: $database exists"
  sql setup-schema -v 0.0
  sql update-schema --schema-name "$embedded"
done
echo 'schema setup: done'
