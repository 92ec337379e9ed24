#!/usr/bin/env bash
# make dist: the packages people install, built so they run without a Swift toolchain.
#   dist/reseq-VERSION-linux-x86_64.tar.gz   bin/, share/ (man page, completions), README, LICENSE
#   dist/reseq_VERSION_amd64.deb             /usr/bin, /usr/share/man/man1, completions
# The binary links the Swift standard library and Foundation in (--static-swift-stdlib), so it
# needs only glibc, libstdc++ and libpq; the .deb's Depends is read from the binary's ELF NEEDED
# entries (what ldd resolves) by dpkg-shlibdeps. VERSION is what `reseq --version` prints.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
arch=$(dpkg --print-architecture)
[ "$arch" = amd64 ] || { echo "make dist: packages are built for amd64 (x86_64); this is $arch" >&2; exit 1; }

echo "== building the binary with the Swift standard library linked in" >&2
# Its own scratch path, so `make build`'s dynamically linked .build/release stays as it is.
scratch=.build/dist
# No $ORIGIN rpath: the binary lives in /usr/bin, where it has no business loading libraries from.
$SWIFT build -c release --static-swift-stdlib --disable-local-rpath --scratch-path "$scratch" --product reseq
built="$scratch/release/reseq"
version=$("$built" --version)
case "$version" in
  [0-9]*) ;;
  *) echo "make dist: the binary says its version is '$version'; packages need one from git (a clone with its tags)" >&2; exit 1 ;;
esac

echo "== man page, from the command's definitions (swift-argument-parser's generate-manual)" >&2
# The plugin builds the package in the configuration given and runs the tool on it; debug
# reuses what `make test` built. The date is the commit's, so the page is the same each time.
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
$SWIFT package plugin generate-manual --configuration debug --date "$date" >&2
manpage=.build/plugins/GenerateManual/outputs/reseq/reseq.1
[ -s "$manpage" ] || { echo "make dist: generate-manual wrote no $manpage" >&2; exit 1; }

mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
stage=$(mktemp -d "${TMPDIR:-/tmp}/reseq-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p dist
rm -f dist/reseq-*-linux-x86_64.tar.gz dist/reseq_*_amd64.deb

echo "== dist/reseq-$version-linux-x86_64.tar.gz" >&2
name="reseq-$version-linux-x86_64"
t="$stage/$name"
install -D -m 755 -s "$built" "$t/bin/reseq"
install -D -m 644 "$manpage" "$t/share/man/man1/reseq.1"
"$built" --generate-completion-script bash | install -D -m 644 /dev/stdin "$t/share/bash-completion/completions/reseq"
"$built" --generate-completion-script zsh | install -D -m 644 /dev/stdin "$t/share/zsh/site-functions/_reseq"
"$built" --generate-completion-script fish | install -D -m 644 /dev/stdin "$t/share/fish/vendor_completions.d/reseq.fish"
install -m 644 README.md LICENSE CHANGELOG.md "$t/"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -cf - "$name" |
  gzip -9n > "dist/$name.tar.gz"

echo "== dist/reseq_${version}_amd64.deb" >&2
# Staged where dpkg-shlibdeps expects a package's files (debian/PACKAGE, with a DEBIAN folder).
d="$stage/src/debian/reseq"
install -d -m 755 "$d/DEBIAN"
install -D -m 755 "$t/bin/reseq" "$d/usr/bin/reseq"
install -d -m 755 "$d/usr/share/man/man1"
gzip -9n -c "$manpage" > "$d/usr/share/man/man1/reseq.1.gz"
chmod 644 "$d/usr/share/man/man1/reseq.1.gz"
install -D -m 644 "$t/share/bash-completion/completions/reseq" "$d/usr/share/bash-completion/completions/reseq"
install -D -m 644 "$t/share/zsh/site-functions/_reseq" "$d/usr/share/zsh/vendor-completions/_reseq"
install -D -m 644 "$t/share/fish/vendor_completions.d/reseq.fish" "$d/usr/share/fish/vendor_completions.d/reseq.fish"
install -D -m 644 README.md "$d/usr/share/doc/reseq/README.md"
gzip -9n -c CHANGELOG.md > "$d/usr/share/doc/reseq/changelog.gz"
cat > "$d/usr/share/doc/reseq/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: reseq

Files: *
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.
COPYRIGHT

# Depends: dpkg-shlibdeps maps each library the binary needs (its NEEDED entries, what ldd
# resolves) to the package that ships it, with the lowest version that has the symbols used.
printf 'Source: reseq\n\nPackage: reseq\nArchitecture: amd64\n' > "$stage/src/debian/control"
depends=$(cd "$stage/src" && dpkg-shlibdeps -O "$d/usr/bin/reseq" | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "make dist: dpkg-shlibdeps found no Depends for the binary" >&2; exit 1; }
case "$depends" in *libpq5*) ;; *) echo "make dist: Depends lacks libpq5: $depends" >&2; exit 1 ;; esac

# The author of the project's first commit, unless DEB_MAINTAINER says otherwise. (No `| head`:
# under pipefail, git killed by SIGPIPE would fail the build.)
maintainer=$(git log --max-parents=0 -1 --format='%an <%ae>' 2>/dev/null || true)
cat > "$d/DEBIAN/control" <<CONTROL
Package: reseq
Version: $version
Architecture: amd64
Maintainer: ${DEB_MAINTAINER:-${maintainer:-reseq maintainers <reseq@localhost>}}
Installed-Size: $(du -sk --exclude=DEBIAN "$d" | cut -f1)
Depends: $depends
Section: database
Priority: optional
Description: find and repair the sequences a PostgreSQL copy (AWS DMS) left behind
 reseq snapshots two PostgreSQL databases, says what a copy that carries rows but
 not schema details (AWS DMS) left out of their auto-numbering (sequences, their
 positions, nextval defaults, OWNED BY, identity columns), writes the SQL that
 repairs it and applies it with bounded locks.
CONTROL
(cd "$d" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$d/DEBIAN/md5sums"
chmod 644 "$d/DEBIAN/control" "$d/DEBIAN/md5sums"
SOURCE_DATE_EPOCH=$mtime dpkg-deb --root-owner-group -Zxz --build "$d" "dist/reseq_${version}_amd64.deb" >&2

echo "Depends: $depends" >&2
ls -l "$built" "$t/bin/reseq" "dist/$name.tar.gz" "dist/reseq_${version}_amd64.deb" |
  awk '{ printf "%12d  %s\n", $5, $NF }'
