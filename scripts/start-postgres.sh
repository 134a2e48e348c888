#!/usr/bin/env bash
# Start a local PostgreSQL 15 cluster for the web app's tests and print its DATABASE_URL on
# the last line. Idempotent: an existing, running cluster and an existing role are reused.
# Needs root (or sudo) the first time, to create and start the Debian cluster.
set -euo pipefail

VERSION=15
CLUSTER=main
PORT=${BSZ_PG_PORT:-5432}
ROLE=bsz_test
PASSWORD=${BSZ_PG_PASSWORD:-bsz_test}   # a throwaway test database on localhost only

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root runuser -u postgres -- "$@"; }

if ! command -v pg_lsclusters >/dev/null || [ ! -x "/usr/lib/postgresql/$VERSION/bin/postgres" ]; then
    if ! command -v apt-get >/dev/null; then
        echo "PostgreSQL $VERSION ontbreekt en apt-get is er niet: installeer postgresql-$VERSION." >&2
        exit 1
    fi
    echo "PostgreSQL $VERSION installeren (apt-get)..." >&2
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update >&2
    as_root apt-get install -y --no-install-recommends "postgresql-$VERSION" >&2
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {found=1} END {exit !found}'; then
    as_root pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c && $4 ~ /online/ {ok=1} END {exit !ok}'; then
    as_root pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
PORT=$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $3}')

# The role may create databases: the tests create test_bsz_test (and one per xdist worker).
as_postgres psql -p "$PORT" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'" | grep -q 1 ||
    as_postgres psql -p "$PORT" -qc "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
as_postgres psql -p "$PORT" -qtAc "SELECT 1 FROM pg_database WHERE datname='$ROLE'" | grep -q 1 ||
    as_postgres createdb -p "$PORT" -O "$ROLE" "$ROLE" >&2

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$ROLE"
