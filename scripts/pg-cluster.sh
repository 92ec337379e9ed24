#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the demo and the benchmark.
#   scripts/pg-cluster.sh start DIR   prints the socket directory and port to use
#   scripts/pg-cluster.sh stop DIR
# PG_CLUSTER_SETTINGS: more server settings for start, as postgres options (-c name=value ...).
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail
action=$1
dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
start)
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$dir" && chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
  port=$(( 20000 + RANDOM % 20000 ))
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c full_page_writes=off ${PG_CLUSTER_SETTINGS:-}" start >/dev/null
  echo "$port" > "$dir/port"
  echo "host=$dir port=$port user=postgres"
  ;;
stop)
  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
esac
