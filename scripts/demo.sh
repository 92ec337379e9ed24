#!/usr/bin/env bash
# The incident and its repair, end to end, on a throwaway PostgreSQL cluster:
# a source database, a DMS-style copy of it, the failing insert, then
# snapshot -> diff -> reconcile --apply -> diff, and the insert working with id 14.
set -euo pipefail
cd "$(dirname "$0")/.."
reseq=${RESEQ:-.build/release/reseq}
dir=$(mktemp -d /tmp/reseq-demo.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$dir"' EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

step "Start a throwaway PostgreSQL cluster"
base=$(scripts/pg-cluster.sh start "$dir")
echo "$base"
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$base dbname=$1" "${@:2}"; }
psql postgres -c "CREATE DATABASE source" -c "CREATE DATABASE target"
psql source -f demo/source.sql >/dev/null
psql target -f demo/source.sql >/dev/null
psql target -f scripts/dms-copy.sql

step "The target after DMS: same tables and rows, no sequences"
psql target -c "SELECT count(*) AS sequences FROM pg_sequences"
show "INSERT INTO django_migrations (app, name) VALUES ('links', '0003_link_owner')"
if psql target -c "INSERT INTO django_migrations (app, name) VALUES ('links', '0003_link_owner')" 2>&1; then
  echo "unexpected: the insert worked before the repair" >&2; exit 1
fi

step "Snapshot both sides"
mkdir -p Snapshots
show "reseq snapshot --dsn \"$base dbname=source\" --output Snapshots/source.json"
"$reseq" snapshot --dsn "$base dbname=source" --output Snapshots/source.json
show "reseq snapshot --dsn \"$base dbname=target\" --output Snapshots/target.json"
"$reseq" snapshot --dsn "$base dbname=target" --output Snapshots/target.json

step "Diff: what will break"
show "reseq diff Snapshots/source.json Snapshots/target.json"
set +e; "$reseq" diff Snapshots/source.json Snapshots/target.json; code=$?; set -e
echo "exit code: $code"
[ "$code" -eq 1 ] || { echo "expected exit 1" >&2; exit 1; }

step "Reconcile, dry run: the plan, nothing changes"
show "reseq reconcile --source Snapshots/source.json --target-dsn \"$base dbname=target\""
"$reseq" reconcile --source Snapshots/source.json --target-dsn "$base dbname=target"

step "Reconcile --apply: apply, snapshot again, verify"
show "reseq reconcile --source Snapshots/source.json --target-dsn \"$base dbname=target\" --apply --report Snapshots/report.html"
"$reseq" reconcile --source Snapshots/source.json --target-dsn "$base dbname=target" --apply --report Snapshots/report.html

step "Diff again"
"$reseq" snapshot --dsn "$base dbname=target" --output Snapshots/target-after.json
show "reseq diff Snapshots/source.json Snapshots/target-after.json"
"$reseq" diff Snapshots/source.json Snapshots/target-after.json
echo "exit code: 0"

step "The insert that failed now works"
psql target -c "INSERT INTO django_migrations (app, name) VALUES ('links', '0003_link_owner') RETURNING id"
step "The report for sign-off"
show "reseq report Snapshots/source.json Snapshots/target.json --after Snapshots/target-after.json --output Snapshots/report.md"
"$reseq" report Snapshots/source.json Snapshots/target.json --after Snapshots/target-after.json --output Snapshots/report.md
echo
echo "Snapshots: Snapshots/source.json, Snapshots/target.json, Snapshots/target-after.json"
echo "Reports:   $(pwd)/Snapshots/report.html and $(pwd)/Snapshots/report.md"
