#!/usr/bin/env bash
# Starts a real PostgreSQL 15 server with the pgvector extension on 127.0.0.1 and prints its URL as the last line,
# for the @cairndb/postgres suites that need a real server (they run on PGlite otherwise).
#
#   export CAIRN_TEST_POSTGRES_URL=$(bash scripts/setup-postgres.sh | tail -n 1)    # postgres://postgres:postgres@127.0.0.1:5432/cairn_test
#   npx vitest run packages/postgres
#
# Idempotent: installs Debian's postgresql-15 and postgresql-server-dev-15 when missing (needs root and the
# Debian package mirror), builds pgvector (>= 0.8 for iterative index scans) from a source tarball when the
# extension is missing, starts the cluster "15 main", sets the postgres password and creates the database.
# Debian 12 ships no pgvector package, hence the tarball: $PGVECTOR_TARBALL, else the newest
# pgvector-*.tar.gz in ../shared/vendor or ../vendor beside the repository. Exits 3 when none is found.
# Takes ~1 minute the first time.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
db=${CAIRN_PG_DATABASE:-cairn_test}
port=${CAIRN_PG_PORT:-5432}
log() { echo "setup-postgres: $*" >&2; }

if ! [ -x /usr/lib/postgresql/15/bin/postgres ] || ! dpkg -s postgresql-server-dev-15 >/dev/null 2>&1; then
  log "installing postgresql-15 and postgresql-server-dev-15 from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql-15 postgresql-server-dev-15 >/dev/null
fi

if ! [ -f /usr/share/postgresql/15/extension/vector.control ]; then
  tarball=${PGVECTOR_TARBALL:-$({ ls "$repo"/../shared/vendor/pgvector-*.tar.gz "$repo"/../vendor/pgvector-*.tar.gz 2>/dev/null || true; } | sort | tail -n 1)}
  if [ -z "$tarball" ] || ! [ -f "$tarball" ]; then
    log "pgvector is not installed and no source tarball was found: set PGVECTOR_TARBALL to a pgvector-<version>.tar.gz"
    exit 3
  fi
  log "building pgvector from $(basename "$tarball")"
  work=$(mktemp -d)
  tar xzf "$tarball" -C "$work"
  (cd "$work"/pgvector-* && make -s OPTFLAGS="" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null 2>&1 \
    && make -s install PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null)
  rm -rf "$work"
fi

if ! pg_lsclusters -h 2>/dev/null | awk '$1=="15" && $2=="main"' | grep -q .; then
  pg_createcluster 15 main -p "$port" >/dev/null
fi
if ! pg_lsclusters -h | awk '$1=="15" && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect 15 main start
fi
for _ in $(seq 1 50); do
  runuser -u postgres -- psql -p "$port" -qAtc 'select 1' >/dev/null 2>&1 && break
  sleep 0.2
done
runuser -u postgres -- psql -p "$port" -qAtc "ALTER USER postgres PASSWORD 'postgres'" >/dev/null
if ! runuser -u postgres -- psql -p "$port" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  runuser -u postgres -- createdb -p "$port" "$db"
fi
runuser -u postgres -- psql -p "$port" -d "$db" -qAtc 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null
ver=$(runuser -u postgres -- psql -p "$port" -d "$db" -qAtc "SELECT extversion FROM pg_extension WHERE extname = 'vector'")
log "PostgreSQL 15 with pgvector $ver on 127.0.0.1:$port, database $db"
echo "postgres://postgres:postgres@127.0.0.1:$port/$db"
