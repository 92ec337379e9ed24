#!/usr/bin/env bash
# The benchmark (not a test): reseq against the reference tools on a synthetic
# schema-per-tenant database at 1,000 and 10,000 tables (and 50,000 with --with-50k or
# BENCH_50K=1), on a throwaway cluster with PostgreSQL's default settings (fsync off, which
# only spares the disk) but max_locks_per_transaction 1024, so that pg_dump can lock 50,000
# tables. Each figure is the median of BENCH_RUNS runs (default 3). The machine is noisy:
# compare the ratios, not the absolute times.
#   reseq snapshot --skip-row-reads (the source's, as the runbook takes it: no row read,
#                            like pg_dump's)  vs  pg_dump --schema-only of the same database;
#                            and the snapshot with its max() reads (a target's), for reference
#   reseq reconcile --apply  vs  psql replaying the restoring SQL, 500 objects a transaction,
#                                each on its own copy of the same DMS-style target
#   reseq reconcile --apply --allow-hazards all, on a copy that also lost everything else DMS
#                            drops (scripts/dms-shape-copy.sql)  vs  psql replaying the source's
#                            pg_dump --schema-only --section=post-data (primary keys left out:
#                            the copy kept them) with the sequences, defaults, checks,
#                            functions and views (bench-reference.sql, bench-shape-reference.sql)
#   reseq diff of the 10k source and target snapshots; peak memory of every reseq run.
#   At 10k, snapshot and pg_dump once more on one core (taskset -c 0, the server too): the
#   snapshot's lead over pg_dump comes from its sessions running side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
reseq=$(pwd)/${RESEQ:-.build/release/reseq}
runs=${BENCH_RUNS:-3}
sizes=(1000 10000)
[ "${1:-}" = "--with-50k" ] || [ "${BENCH_50K:-0}" = 1 ] && sizes+=(50000)

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ! -x /usr/bin/time ]; then  # GNU time for the peak RSS (%M)
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
fi

dir=$(mktemp -d /tmp/reseq-bench.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$dir"' EXIT
# pg_dump locks every table in one transaction; on default settings (64 x 100 locks) it fails
# at 50,000 tables, and its time there is the reference for how reseq's grows.
export PG_CLUSTER_SETTINGS="-c max_locks_per_transaction=1024"
base=$(scripts/pg-cluster.sh start "$dir")
work="$dir/work"; mkdir -p "$work"; chmod 755 "$dir"
psql() { PGOPTIONS="-c client_min_messages=warning" command psql -X -q -v ON_ERROR_STOP=1 "$base dbname=$1" "${@:2}"; }
note() { printf '%s\n' "$*" >&2; }

# timed NAME CMD...: runs CMD, appends "seconds peak_kB" to $work/NAME. Fails loudly.
timed() {
  local name=$1; shift
  /usr/bin/time -o "$work/t" -f '%e %M' "$@" >"$work/out" 2>"$work/err" || {
    note "failed: $*"; tail -5 "$work/err" >&2; exit 1; }
  cat "$work/t" >>"$work/$name"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
seconds() { cut -d' ' -f1 "$work/$1" | median; }
peak_mb() { cut -d' ' -f2 "$work/$1" | sort -n | tail -1 | awk '{ printf "%.0f", $1 / 1024 }'; }
# Copies of a database, made before any timed run. Nothing is dropped until the cluster is
# removed at the end: on ext4 without a journal (as here), creating a file skips every inode
# deleted in the last minute (five, while unsynced), so creating 50,000 sequences after
# dropping a 150,000-file copy spent half its time in the kernel, more the bigger the
# database. `sync` writes the copies out, so their writeback does not land in a timed run.
copies() { for i in $(seq "$runs"); do psql postgres -c "CREATE DATABASE ${1}_$i TEMPLATE $2 STRATEGY FILE_COPY"; done; }
settle() { psql postgres -c CHECKPOINT; sync; }
# All sizes' copies (about 20 GB with 50,000) do not fit the page cache together. Before each
# timed run, so that both tools start from memory as on a live, warm database with memory to
# spare (a server sized for its database):
# - the page cache is emptied of its clean pages (after `sync`: drop_caches 1 drops nothing
#   unwritten). Otherwise the kernel reclaimed other copies' pages during the largest size's
#   runs alone: kswapd took 1.9 s of CPU during one 50,000-table reconcile, none at 10,000;
# - the tools are run once: reseq's binary and libraries, read back from the disk, added
#   0.15-0.2 s to each run;
# - the database's files are read: otherwise reseq's max() reads paid for the disk and the
#   replay (which reads no rows) did not;
# - so is the tool's input file (warm DB FILE): this VM's kernel pages out what nobody touched
#   for a minute (DAMON), and the source snapshot, written minutes before, was read back from
#   the disk: 0.3 s of reconcile's 5.5 s at 10,000 tables.
dropped=1
warm() {
  local oid; oid=$(psql postgres -At -c "SELECT oid FROM pg_database WHERE datname = '$1'")
  sync
  if [ "$dropped" = 1 ] && ! echo 1 | $sudo tee /proc/sys/vm/drop_caches >/dev/null 2>&1; then
    dropped=0; note "note: cannot drop the page cache here (/proc/sys/vm/drop_caches); timed runs share it with every copy"
  fi
  "$reseq" --version >/dev/null; command psql --version >/dev/null; pg_dump --version >/dev/null
  /usr/bin/time -f '' true 2>/dev/null
  find "$dir/data/base/$oid" -type f -exec cat {} + >/dev/null
  [ $# -lt 2 ] || cat "${@:2}" >/dev/null
}

# One core for the server (the postmaster, so every new backend) and, with `taskset -c 0`,
# for the client; then all cores again.
postmaster() { head -1 "$dir/data/postmaster.pid"; }
one_core() { taskset -apc 0 "$(postmaster)" >/dev/null; }
all_cores() { taskset -apc "0-$(( $(nproc) - 1 ))" "$(postmaster)" >/dev/null; }
pin=$(command -v taskset || true)

# generate DB N: the synthetic tables, 2,500 per session (see bench-generate.sql).
generate() {
  local first
  for first in $(seq 0 2500 $(( $2 - 1 ))); do
    psql "$1" -v n=$(( $2 - first < 2500 ? $2 - first : 2500 )) -v first="$first" -f scripts/bench-generate.sql
  done
}

rows=()
row() { rows+=("$(printf '%-26s %6s %9s %11s %7s %8s %-5s %8s' "$@")"); note "${rows[-1]}"; }
judge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "pass" : "FAIL" }'; }
shape() { [ "$1" -le 10000 ]; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

for n in "${sizes[@]}"; do
  note "== $n tables: generating the source and the DMS-style target"
  psql postgres -c "CREATE DATABASE src_$n" -c "CREATE DATABASE dms_$n"
  generate "src_$n" "$n"
  psql "src_$n" -c ANALYZE  # the source has statistics; the DMS target is left without, as DMS leaves it
  generate "dms_$n" "$n"
  psql "dms_$n" -f scripts/dms-copy.sql
  psql "src_$n" -At -f scripts/bench-reference.sql >"$work/reference-$n.sql"
  note "   $(psql "src_$n" -At -c "SELECT count(*) FROM pg_class WHERE relkind = 'S'") sequences"
  copies "ref_$n" "dms_$n"; copies "app_$n" "dms_$n"
  # The whole shape (1,000 and 10,000 only: at 50,000 it would add half an hour): a copy that
  # lost all DMS drops, and the SQL that restores it by hand.
  shape $n || continue
  psql postgres -c "CREATE DATABASE shp_$n TEMPLATE dms_$n"
  psql "shp_$n" -f scripts/dms-shape-copy.sql
  { psql "src_$n" -At -v part=before -f scripts/bench-shape-reference.sql
    cat "$work/reference-$n.sql"
    pg_dump --schema-only --section=post-data --dbname "$base dbname=src_$n" | awk 'BEGIN { RS = ";\n"; ORS = ";\n" } !/PRIMARY KEY/'
    psql "src_$n" -At -v part=after -f scripts/bench-shape-reference.sql; } >"$work/shape-reference-$n.sql"
  copies "sref_$n" "shp_$n"; copies "sapp_$n" "shp_$n"
done
# dms-copy.sql dropped the targets' sequences: let those inodes stop counting as recent. A
# minute is not enough: the first file a timed run creates in an inode block dirties it again,
# and in a dirty block the deletions of the last five minutes count (RECENTCY_DIRTY).
settle; sleep 301

# Every size in each round, one after the other: the 50,000/10,000 ratios then compare runs
# made minutes apart, not a quarter of an hour, on a machine whose speed drifts.
for i in $(seq "$runs"); do
  note "== round $i of $runs: snapshot vs pg_dump --schema-only, reconcile --apply vs psql replay"
  for n in "${sizes[@]}"; do
    warm "src_$n"
    timed "snap-$n" "$reseq" snapshot --skip-row-reads --dsn "$base dbname=src_$n" --output "$work/src-$n.json"
    warm "src_$n"
    timed "rows-$n" "$reseq" snapshot --dsn "$base dbname=src_$n" --output "$work/rows-$n.json"
    # Past the lock table (1024 × 100 relations here, see above) pg_dump fails: a result too.
    /usr/bin/time -o "$work/t" -f '%e %M' pg_dump --schema-only --dbname "$base dbname=src_$n" --file /dev/null \
      2>"$work/err" && cat "$work/t" >>"$work/dump-$n" || { note "pg_dump failed at $n: $(grep -m1 ERROR "$work/err")"; echo "fails 0" >>"$work/dump-$n"; }
    if [ "$n" = 10000 ] && [ -n "$pin" ]; then
      one_core; warm "src_$n"
      timed "snap1-$n" taskset -c 0 "$reseq" snapshot --skip-row-reads --dsn "$base dbname=src_$n" --output "$work/src1-$n.json"
      timed "dump1-$n" taskset -c 0 pg_dump --schema-only --dbname "$base dbname=src_$n" --file /dev/null
      all_cores
    fi
  done
  for n in "${sizes[@]}"; do
    settle; warm "ref_${n}_$i" "$work/reference-$n.sql"
    timed "ref-$n" "$(command -v psql)" -X -q -v ON_ERROR_STOP=1 "$base dbname=ref_${n}_$i" -f "$work/reference-$n.sql"
    settle; warm "app_${n}_$i" "$work/src-$n.json"
    timed "rec-$n" "$reseq" reconcile --source "$work/src-$n.json" --target-dsn "$base dbname=app_${n}_$i" --apply
    shape $n || continue
    settle; warm "sref_${n}_$i" "$work/shape-reference-$n.sql"
    timed "sref-$n" "$(command -v psql)" -X -q -v ON_ERROR_STOP=1 "$base dbname=sref_${n}_$i" -f "$work/shape-reference-$n.sql"
    settle; warm "sapp_${n}_$i" "$work/src-$n.json"
    timed "srec-$n" "$reseq" reconcile --source "$work/src-$n.json" --target-dsn "$base dbname=sapp_${n}_$i" --apply --allow-hazards all
  done
done

for n in "${sizes[@]}"; do
  # The reference must do the same job: its result must pass reseq's own verification.
  "$reseq" snapshot --dsn "$base dbname=ref_${n}_1" --output "$work/ref-$n.json" 2>/dev/null
  "$reseq" diff "$work/src-$n.json" "$work/ref-$n.json" >/dev/null || { note "the reference SQL did not restore everything at $n"; exit 1; }
  if shape $n; then
    "$reseq" snapshot --dsn "$base dbname=sref_${n}_1" --output "$work/sref-$n.json" 2>/dev/null
    "$reseq" diff "$work/src-$n.json" "$work/sref-$n.json" >/dev/null || { note "the shape reference SQL did not restore everything at $n"; exit 1; }
  fi

  snap=$(seconds "snap-$n"); dump=$(seconds "dump-$n"); rec=$(seconds "rec-$n"); ref=$(seconds "ref-$n")
  snap_target=-; rec_target=-; snap_ok=-; rec_ok=-
  if [ "$n" = 10000 ]; then
    snap_target="<= 0.50"; snap_ok=$(judge "$(ratio "$snap" "$dump")" 0.5)
    rec_target="<= 1.00"; rec_ok=$(judge "$(ratio "$rec" "$ref")" 1.0)
    snap10=$snap; rec10=$rec; dump10=$dump; ref10=$ref
  fi
  if [ "$n" = 50000 ]; then
    snap_target="<=5.5x10k"; snap_ok=$(judge "$snap" "$(awk -v t="$snap10" 'BEGIN { print t * 5.5 }')")
    rec_target="<=5.5x10k"; rec_ok=$(judge "$rec" "$(awk -v t="$rec10" 'BEGIN { print t * 5.5 }')")
  fi
  row "snapshot / pg_dump -s" "$n" "$snap" "$dump" "$(ratio "$snap" "$dump")" "$snap_target" "$snap_ok" "$(peak_mb "snap-$n")"
  with_rows=$(seconds "rows-$n")
  row "same, with row reads" "$n" "$with_rows" "$dump" "$(ratio "$with_rows" "$dump")" - - "$(peak_mb "rows-$n")"
  if [ -s "$work/snap1-$n" ]; then
    snap1=$(seconds "snap1-$n"); dump1=$(seconds "dump1-$n")
    row "same, on 1 core" "$n" "$snap1" "$dump1" "$(ratio "$snap1" "$dump1")" - - "$(peak_mb "snap1-$n")"
  fi
  row "reconcile --apply / psql" "$n" "$rec" "$ref" "$(ratio "$rec" "$ref")" "$rec_target" "$rec_ok" "$(peak_mb "rec-$n")"
  if shape $n; then
    srec=$(seconds "srec-$n"); sref=$(seconds "sref-$n"); srec_target=-; srec_ok=-
    if [ "$n" = 10000 ]; then srec_target="<= 1.00"; srec_ok=$(judge "$(ratio "$srec" "$sref")" 1.0); fi
    row "reconcile shape / psql" "$n" "$srec" "$sref" "$(ratio "$srec" "$sref")" "$srec_target" "$srec_ok" "$(peak_mb "srec-$n")"
  fi
  if [ "$n" = 50000 ]; then  # how each tool's time grew from 10,000 tables, side by side
    row "snapshot, 50k / 10k" "$n" "$(ratio "$snap" "$snap10")" "$(ratio "$dump" "$dump10")" - - - -
    row "reconcile, 50k / 10k" "$n" "$(ratio "$rec" "$rec10")" "$(ratio "$ref" "$ref10")" - - - -
  fi

  if [ "$n" = 10000 ]; then
    "$reseq" snapshot --dsn "$base dbname=dms_$n" --output "$work/dms-$n.json" 2>/dev/null
    # Like every timed run, after the writeback of what came before (the 50,000 size's runs
    # leave gigabytes of it).
    settle
    for _ in $(seq "$runs"); do
      /usr/bin/time -q -o "$work/t" -f '%e %M' "$reseq" diff "$work/src-$n.json" "$work/dms-$n.json" >/dev/null || true
      cat "$work/t" >>"$work/diff-$n"
    done
    diff_s=$(seconds "diff-$n")
    row "diff" "$n" "$diff_s" - - "< 0.5 s" "$(judge "$diff_s" 0.5)" "$(peak_mb "diff-$n")"
    peak=$(printf '%s\n' "$(peak_mb "snap-$n")" "$(peak_mb "rows-$n")" | sort -n | tail -1)  # either snapshot
    row "snapshot peak memory" "$n" - - - "< 300 MB" "$(judge "$peak" 300)" "$peak"
  fi
done

echo
echo "reseq benchmark: medians of $runs runs; PostgreSQL $(psql postgres -At -c 'SHOW server_version'), max_locks_per_transaction $(psql postgres -At -c 'SHOW max_locks_per_transaction'), $(nproc) cores"
printf '%-26s %6s %9s %11s %7s %8s %-5s %8s\n' work N "reseq s" "reference s" ratio target ok "peak MB"
printf '%s\n' "${rows[@]}"
! printf '%s\n' "${rows[@]}" | grep -q FAIL
