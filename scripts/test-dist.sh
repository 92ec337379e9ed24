#!/usr/bin/env bash
# make test-dist: the packages `make dist` wrote, checked the way users get them.
#   The tarball: its binary links no libswift library, and run with `env -i PATH=/usr/bin:/bin`
#   (no toolchain anywhere) it prints its version, then snapshots a source and a DMS-style copy
#   on a throwaway PostgreSQL server, diffs them and plans a dry-run reconcile.
#   The .deb: dpkg -i, then `reseq --version`, `man -w reseq`, the completions; dpkg -r removes
#   every file it installed.
# Needs root for dpkg (sudo otherwise). Each check exits non-zero with a message when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }
ok() { echo "test-dist: ok: $*"; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

built=.build/dist/release/reseq
[ -x "$built" ] || fail "no $built: run make dist first"
version=$("$built" --version)
tarball=dist/reseq-$version-linux-x86_64.tar.gz
deb=dist/reseq_${version}_amd64.deb
[ -f "$tarball" ] || fail "no $tarball: run make dist first"
[ -f "$deb" ] || fail "no $deb: run make dist first"
status=$(dpkg-query -W -f='${Status}' reseq 2>/dev/null || true)
if [ "$status" = "install ok installed" ]; then
  fail "a reseq package is installed already; this test would replace and remove it (dpkg -r reseq first)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/reseq-test-dist.XXXXXX")
cluster=$(mktemp -d "${TMPDIR:-/tmp}/reseq-test-dist-pg.XXXXXX")
installed=no
cleanup() {
  [ "$installed" = yes ] && $sudo dpkg -r reseq >/dev/null 2>&1
  scripts/pg-cluster.sh stop "$cluster"
  rm -rf "$work"
}
trap cleanup EXIT

# With no environment and no toolchain on the path: what a bastion host gives it.
bare() { env -i PATH=/usr/bin:/bin "$@"; }

echo "== the tarball: $tarball"
tar -C "$work" -xzf "$tarball"
bin="$work/reseq-$version-linux-x86_64/bin/reseq"
[ -x "$bin" ] || fail "the tarball has no executable bin/reseq"
for f in README.md LICENSE CHANGELOG.md share/man/man1/reseq.1 share/bash-completion/completions/reseq \
  share/zsh/site-functions/_reseq share/fish/vendor_completions.d/reseq.fish; do
  [ -s "$work/reseq-$version-linux-x86_64/$f" ] || fail "the tarball has no $f"
done
ok "the tarball has bin/reseq, the man page, 3 completions, README.md, LICENSE, CHANGELOG.md"

libs=$(ldd "$bin") || fail "ldd $bin failed"
echo "$libs"
if grep -i 'libswift\|libFoundation\|libdispatch\|libBlocksRuntime' <<<"$libs"; then
  fail "the packaged binary links Swift runtime libraries (above): it would need a Swift toolchain"
fi
grep -q 'not found' <<<"$libs" && fail "the packaged binary needs a library this system lacks (above)"
ok "ldd lists no libswift library"

printed=$(bare "$bin" --version) || fail "'reseq --version' from the tarball exited $?"
[ "$printed" = "$version" ] || fail "'reseq --version' from the tarball printed '$printed', expected '$version'"
ok "reseq --version (env -i PATH=/usr/bin:/bin): $printed"

echo "== snapshot, diff and a dry-run reconcile on a throwaway server"
base=$(scripts/pg-cluster.sh start "$cluster")
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$base dbname=$1" "${@:2}"; }
psql postgres -c "CREATE DATABASE source" -c "CREATE DATABASE target"
psql source -f demo/source.sql >/dev/null
psql target -f demo/source.sql >/dev/null
psql target -f scripts/dms-copy.sql >/dev/null
sequences() { psql target -At -c "SELECT count(*) FROM pg_sequences"; }
[ "$(sequences)" = 0 ] || fail "the DMS-like target still has sequences; scripts/dms-copy.sql did not run"

bare "$bin" snapshot --dsn "$base dbname=source" --output "$work/source.json" ||
  fail "reseq snapshot of the source exited $?"
bare "$bin" snapshot --dsn "$base dbname=target" --output "$work/target.json" ||
  fail "reseq snapshot of the target exited $?"
grep -q '"sequences"' "$work/source.json" || fail "the source snapshot has no sequences field"
ok "reseq snapshot of the source and of the target"

set +e
bare "$bin" diff "$work/source.json" "$work/target.json" > "$work/diff.txt"
code=$?
set -e
cat "$work/diff.txt"
[ "$code" -eq 1 ] || fail "reseq diff exited $code; a DMS copy differs from its source, so it must exit 1"
grep -q 'defaultMissing public.django_migrations.id' "$work/diff.txt" ||
  fail "reseq diff did not report django_migrations.id's missing default"
ok "reseq diff exits 1 and says inserts into django_migrations will fail"

bare "$bin" reconcile --source "$work/source.json" --target-dsn "$base dbname=target" > "$work/plan.sql" ||
  fail "reseq reconcile (dry run) exited $?"
grep -q 'CREATE SEQUENCE' "$work/plan.sql" || fail "the dry-run plan creates no sequence"
[ "$(sequences)" = 0 ] || fail "the dry-run reconcile changed the target: it has sequences now"
ok "reseq reconcile (dry run) prints a plan ($(grep -c 'CREATE SEQUENCE' "$work/plan.sql") CREATE SEQUENCE) and changes nothing"

echo "== the .deb: $deb"
$sudo dpkg -i "$deb" || fail "dpkg -i $deb failed"
installed=yes
[ "$(command -v reseq)" = /usr/bin/reseq ] || fail "reseq is not /usr/bin/reseq after dpkg -i (command -v: $(command -v reseq))"
printed=$(bare reseq --version) || fail "the installed 'reseq --version' exited $?"
[ "$printed" = "$version" ] || fail "the installed 'reseq --version' printed '$printed', expected '$version'"
ok "reseq --version (installed): $printed"
page=$(man -w reseq) || fail "man -w reseq found no page (is /usr/share/man excluded in /etc/dpkg/dpkg.cfg.d?)"
[ "$page" = /usr/share/man/man1/reseq.1.gz ] || fail "man -w reseq found $page, not the package's page"
ok "man -w reseq: $page"
for f in /usr/share/bash-completion/completions/reseq /usr/share/zsh/vendor-completions/_reseq \
  /usr/share/fish/vendor_completions.d/reseq.fish; do
  [ -s "$f" ] || fail "the .deb installed no $f"
done
grep -q 'complete .*reseq' /usr/share/bash-completion/completions/reseq ||
  fail "/usr/share/bash-completion/completions/reseq registers no completion for reseq"
ok "the bash, zsh and fish completions are where those shells look"

mapfile -t paths < <(dpkg -L reseq)
$sudo dpkg -r reseq || fail "dpkg -r reseq failed"
installed=no
left=()
for p in "${paths[@]}"; do
  [ "$p" = /. ] && continue
  if [ -d "$p" ] && [ ! -L "$p" ]; then
    # A folder may stay when another package owns it or something else is in it.
    if [ -z "$(ls -A "$p")" ] && ! dpkg -S "$p" >/dev/null 2>&1; then left+=("$p (empty folder)"); fi
  elif [ -e "$p" ] || [ -L "$p" ]; then
    left+=("$p")
  fi
done
[ ${#left[@]} -eq 0 ] || fail "dpkg -r left behind: ${left[*]}"
ok "dpkg -r removed every file the package installed (${#paths[@]} paths)"

echo "test-dist: all checks passed for $version"
ls -l "$built" "$bin" "$tarball" "$deb" | awk '{ printf "%12d  %s\n", $5, $NF }'
