#!/usr/bin/env bash
# Installs what reseq needs to build and test, when it is missing (Debian/Ubuntu):
# libpq-dev (the client library and pkg-config file), a PostgreSQL server for the throwaway
# test clusters, with --browser, Chromium for the HTML report test, and with --dist, what
# `make dist` and `make test-dist` use (dpkg-shlibdeps, strip, man).
set -euo pipefail

packages=()
pkg-config --exists libpq 2>/dev/null || packages+=(libpq-dev pkg-config)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql postgresql-contrib)
command -v psql >/dev/null 2>&1 || packages+=(postgresql-client)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || packages+=(chromium)
fi
if [ "${1:-}" = "--dist" ]; then
  command -v dpkg-shlibdeps >/dev/null 2>&1 || packages+=(dpkg-dev)
  command -v strip >/dev/null 2>&1 || packages+=(binutils)
  command -v man >/dev/null 2>&1 || packages+=(man-db)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

echo "installing: ${packages[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
