#!/usr/bin/env bash
# Install Debian packages that are missing. CI runs as root; elsewhere we say
# what to install instead of failing half-way through apt.
set -euo pipefail

declare -A provides=(
  [postgresql]="ls /usr/lib/postgresql/*/bin/pg_ctl"
  [redis-server]="command -v redis-server"
  [python3-venv]="python3 -m venv --help"
  [chromium]="command -v chromium"
  [chromium-driver]="command -v chromedriver"
)

missing=()
for package in "$@"; do
  check=${provides[$package]:-"dpkg -s $package"}
  if ! eval "$check" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  echo "(tests that need them will fail with this message until then)" >&2
  exit 0
fi
echo "Installing ${missing[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged services; the tests run their own throwaway ones.
for service in postgresql redis-server; do
  if [[ " ${missing[*]} " == *" $service "* ]] && command -v systemctl >/dev/null; then
    systemctl disable --now "$service" >/dev/null 2>&1 || true
  fi
done
