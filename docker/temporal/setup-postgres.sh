#!/bin/sh
# Creates (or upgrades) Temporal's two PostgreSQL databases before the server starts.
# Runs in temporalio/admin-tools; safe to rerun: each step is a no-op on a schema already current.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS names the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER names the PostgreSQL user}"
: "${SQL_PASSWORD:?SQL_PASSWORD is the PostgreSQL password}"
port="${DB_PORT:-5432}"
schemas=/etc/temporal/schema/postgresql/v12
# temporal-sql-tool reads the password from SQL_PASSWORD.
sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --db "$database" "$@"; }

for database in temporal temporal_visibility; do
  case "$database" in
    temporal) versioned="$schemas/temporal/versioned" ;;
    *) versioned="$schemas/visibility/versioned" ;;
  esac
  echo "schema setup: $database"
  # create fails when the database exists (a restart with the volume kept); setup-schema then finds it.
  sql create || echo "schema setup: $database exists"
  sql setup-schema -v 0.0
  sql update-schema -d "$versioned"
done
echo 'schema setup: done'
