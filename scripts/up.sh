#!/usr/bin/env bash
# First command after cloning: install what is missing, build devenv, bring the databases up,
# then show their status.
#
#   scripts/up.sh [devenv up ARGS...]      e.g. scripts/up.sh --watch
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/deps.sh

if [ ! -f build/meson-private/coredata.dat ]; then
    meson setup build --buildtype=debugoptimized
fi
meson compile -C build

status=0
build/devenv up "$@" || status=$?
# Show the status even when `up` failed: it tells what is reachable and what is not.
build/devenv status || true
exit "$status"
