#!/usr/bin/env bash
# Installs what reseq needs to build and test, when it is missing (Debian/Ubuntu):
# libpq-dev (the client library and pkg-config file), a PostgreSQL server for the throwaway
# test clusters, and with --browser, Chromium for the HTML report test.
set -euo pipefail

packages=()
pkg-config --exists libpq 2>/dev/null || packages+=(libpq-dev pkg-config)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql postgresql-contrib)
command -v psql >/dev/null 2>&1 || packages+=(postgresql-client)
if [ "${1:-}" = "--browser" ]; then
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || packages+=(chromium)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

echo "installing: ${packages[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
