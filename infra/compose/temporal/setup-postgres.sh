#!/bin/sh
# One-shot (compose service temporal-schema, temporalio/admin-tools image): creates Temporal's two PostgreSQL
# databases on first run and brings their schemas up to the versions this admin-tools release ships. Safe to re-run:
# `create` fails harmlessly when the database exists, `update-schema` only applies newer versions.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"; }

echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT"
i=0
until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
  i=$((i + 1)); [ "$i" -lt 60 ] || { echo "PostgreSQL did not open its port"; exit 1; }
  sleep 1
done

for pair in "temporal:temporal" "temporal_visibility:visibility"; do
  db="${pair%%:*}"; dir="${pair##*:}"
  if sql --db "$db" create; then
    echo "$db: created"
    sql --db "$db" setup-schema -v 0.0
  else
    echo "$db: exists"
  fi
  sql --db "$db" update-schema -d "$SCHEMA_ROOT/$dir/versioned"
done
echo "Temporal schemas up to date"
