#!/usr/bin/env bash
# Install what devenv needs to build and test, and nothing that is already there.
#
#   scripts/deps.sh
#
# - Debian packages through apt-get, only the missing ones (`apt-get update` runs once, and only
#   when something has to be installed); sudo is used only when not running as root.
# - dynalite (a DynamoDB-compatible local server) from npm into the repository-local `.deps/`.
#
# Prints one line per thing it installs and nothing at all when everything is present.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

apt_packages=(
    meson ninja-build gcc pkg-config
    libgit2-dev libcurl4-openssl-dev libjansson-dev libpq-dev libinih-dev
    postgresql postgresql-client
    awscli python3-boto3 python3-botocore
    nodejs npm
    clang-format clang libclang-rt-14-dev valgrind
    curl ca-certificates
)

# A package whose command is already on PATH from elsewhere counts as present. This matters for
# npm: NodeSource's nodejs bundles npm (and conflicts with Debian's npm package), nvm installs
# put node/npm on PATH without any Debian package.
declare -A provided_by_command=(
    [nodejs]=node
    [npm]=npm
    [awscli]=aws
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

# One dpkg call for all packages: print "name status" lines for what dpkg knows about.
declare -A installed=()
while read -r name status; do
    [ "$status" = "installed" ] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${apt_packages[@]}" 2>/dev/null || true)

missing=()
for pkg in "${apt_packages[@]}"; do
    [ -n "${installed[$pkg]:-}" ] && continue
    cmd=${provided_by_command[$pkg]:-}
    if [ -n "$cmd" ] && command -v "$cmd" >/dev/null 2>&1; then
        continue
    fi
    missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
    for pkg in "${missing[@]}"; do
        echo "deps: installing $pkg (apt)"
    done
    log=$(mktemp)
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
       ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "deps: apt-get failed" >&2
        exit 1
    fi
    rm -f "$log"
fi

if [ ! -x .deps/node_modules/.bin/dynalite ]; then
    echo "deps: installing dynalite@3 (npm, into .deps/)"
    mkdir -p .deps
    log=$(mktemp)
    # npm 11 may warn about install scripts it did not run (leveldown); dynalite works without them.
    if ! npm install --prefix .deps --no-audit --no-fund --no-update-notifier --loglevel=error \
            dynalite@3 >"$log" 2>&1 || [ ! -x .deps/node_modules/.bin/dynalite ]; then
        cat "$log" >&2
        rm -f "$log"
        echo "deps: npm install dynalite@3 failed" >&2
        exit 1
    fi
    rm -f "$log"
fi
