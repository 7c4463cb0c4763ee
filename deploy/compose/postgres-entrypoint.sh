#!/bin/bash
# Entrypoint of the compose demo's PostgreSQL image (postgres.Dockerfile): initialises an empty data directory
# once, like the official image does (superuser POSTGRES_USER with POSTGRES_PASSWORD, database POSTGRES_DB,
# password authentication over TCP), then runs the server as the postgres user, listening on every address.
set -euo pipefail

data=${PGDATA:-/var/lib/postgresql/data}
user=${POSTGRES_USER:-postgres}
database=${POSTGRES_DB:-$user}
as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups)

if [[ -z ${POSTGRES_PASSWORD:-} ]]; then
  echo "fleet-demo-postgres: POSTGRES_PASSWORD is not set" >&2
  exit 78
fi
for name in "$user" "$database"; do
  if [[ ! $name =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; then
    echo "fleet-demo-postgres: '$name' is not a plain SQL name (letters, digits, _)" >&2
    exit 78
  fi
done

mkdir -p "$data" /run/postgresql
chown postgres:postgres "$data" /run/postgresql
chmod 0700 "$data"

if [[ ! -s $data/PG_VERSION ]]; then
  password_file=$(mktemp)
  trap 'rm -f "$password_file"' EXIT
  printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
  chown postgres "$password_file"
  "${as_postgres[@]}" initdb --pgdata="$data" --username="$user" --pwfile="$password_file" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$password_file"
  echo "host all all all scram-sha-256" >>"$data/pg_hba.conf"
  if [[ $database != postgres ]]; then
    "${as_postgres[@]}" pg_ctl --pgdata="$data" --options="-c listen_addresses=''" --wait --silent start
    "${as_postgres[@]}" psql --quiet --set=ON_ERROR_STOP=1 --username="$user" --dbname=postgres \
      --command="CREATE DATABASE \"$database\""
    "${as_postgres[@]}" pg_ctl --pgdata="$data" --mode=fast --wait --silent stop
  fi
  echo "fleet-demo-postgres: initialised $data (user $user, database $database)"
fi

exec "${as_postgres[@]}" postgres -D "$data" -c listen_addresses='*'
