#!/usr/bin/env bash
# Debian packages the test suite needs, each with the reason; `make test` runs this and it does nothing (and needs
# no root) when all of them are there. Uses sudo when not root.
set -euo pipefail
missing=()
reasons=()
need() {  # need PACKAGE REASON: when the check before it failed
  missing+=("$1")
  reasons+=("  $1: $2")
}
[ -x /usr/bin/chromium ] || need chromium "the browser tests, benchmarks and load test drive a headless Chromium"
[ -d /usr/share/datasets/fashion-mnist ] || need dataset-fashion-mnist "the shipped Fashion-MNIST models are checked against the real images"
fc-list 2>/dev/null | grep -qi dejavu || need fonts-dejavu-core "Chromium needs a font to draw the pages' text"
[ -x /usr/sbin/nginx ] || need nginx "the replica test runs two servers behind nginx (its own config and port)"
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages the tests need (make system-packages):"
printf '%s\n' "${reasons[@]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
