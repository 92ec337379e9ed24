#!/bin/sh
# The version of reseq, from git at build time: the nearest release tag (0.1.0 or v0.1.0)
# and the commit, in a form that is both SemVer and a Debian version:
#   0.1.0                       the tagged commit itself
#   0.1.0+3.g44dec65            3 commits after the tag 0.1.0
#   0.1.0+3.g44dec65.dirty      the same, with uncommitted changes to tracked files
#   0.0.0+g44dec65              no release tag yet
#   unknown (built without git) no git, or not a git checkout (a source archive)
#
#   scripts/version.sh                 prints the version
#   scripts/version.sh --swift FILE    writes it as Swift (for the VersionPlugin build step),
#                                      leaving FILE untouched when the version is the same
# It never fails because git is missing: a build without git says so and goes on.
set -u
case $0 in */*) dir="${0%/*}/.." ;; *) dir=".." ;; esac

version() {
  command -v git >/dev/null 2>&1 || { echo "unknown (built without git)"; return; }
  # The checkout must be reseq's own, not a repository it was unpacked into.
  top=$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null) || { echo "unknown (built without git)"; return; }
  [ "$top" = "$(cd "$dir" && pwd -P)" ] || { echo "unknown (built without git)"; return; }
  commit=$(git -C "$dir" rev-parse --short=7 HEAD 2>/dev/null) || { echo "unknown (no commit)"; return; }
  dirty=""
  # `git status` refreshes the index first, so a file merely touched is not "dirty".
  [ -n "$(git -C "$dir" status --porcelain --untracked-files=no 2>/dev/null)" ] && dirty=".dirty"
  if tag=$(git -C "$dir" describe --tags --abbrev=0 --match '[0-9]*.[0-9]*.[0-9]*' --match 'v[0-9]*.[0-9]*.[0-9]*' HEAD 2>/dev/null); then
    count=$(git -C "$dir" rev-list --count "$tag..HEAD")
    tag=${tag#v}
    if [ "$count" -eq 0 ]; then
      [ -z "$dirty" ] && echo "$tag" || echo "$tag+g$commit$dirty"
    else
      echo "$tag+$count.g$commit$dirty"
    fi
  else
    echo "0.0.0+g$commit$dirty"
  fi
}

v=$(version)
if [ "${1:-}" = "--swift" ]; then
  file=$2
  text=$(printf '// Generated at build time by scripts/version.sh; not in git.\nlet gitVersion = "%s"\n' "$v")
  [ -f "$file" ] && [ "$(cat "$file")" = "$text" ] && exit 0
  mkdir -p "$(dirname "$file")"
  printf '%s\n' "$text" > "$file.tmp" && mv "$file.tmp" "$file"
else
  echo "$v"
fi
