#!/bin/sh
# The first step of `npm test`: what the suite needs besides Node. The Debian packages are listed
# in .ci/apt-packages (one list, read by nothing else). As root, the missing ones are installed;
# as anyone else, this prints the one apt-get line to run and stops before any test runs.
set -eu
cd "$(dirname "$0")/.."

missing=""
for package in $(sed 's/#.*//' .ci/apt-packages); do
  if ! dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
    missing="$missing $package"
  fi
done

if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test-setup: the tests need these Debian packages (.ci/apt-packages), and this is not a Debian-like system:$missing" >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "test-setup: the tests need Debian packages that are not installed. Install them, then run npm test again:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
  fi
  echo "test-setup: installing$missing (from .ci/apt-packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq $missing >/dev/null
fi

if [ ! -d node_modules ]; then
  echo "test-setup: no node_modules yet: npm ci" >&2
  npm ci --no-audit --no-fund
fi
