# shellcheck shell=bash
# Throwaway PostgreSQL and DynamoDB (dynalite) servers for devenv's tests.
#
#   source tests/harness/servers.sh
#   harness_start          # starts both, exports DEVENV_TEST_* (see below)
#   trap harness_stop EXIT # stops both, removes the temp dir; safe to call twice
#
# Exports after harness_start:
#   DEVENV_TEST_PG_URL        postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres
#   DEVENV_TEST_PG_PORT       PostgreSQL port on 127.0.0.1
#   DEVENV_TEST_PG_PASSWORD   the postgres user's password (scram-sha-256)
#   DEVENV_TEST_PG_BINDIR     folder of pg_ctl (initdb, postgres, ... live there too)
#   DEVENV_TEST_DDB_ENDPOINT  http://127.0.0.1:PORT
#   DEVENV_TEST_DDB_PORT      dynalite port on 127.0.0.1
#   DEVENV_TEST_TMP           the temp dir (cluster, sockets, logs)
#   DEVENV_TEST_DYNALITE      absolute path of the dynalite executable
#
# Works with `set -euo pipefail` in the caller. Needs: bash, python3 or a probe-able port range,
# curl, PostgreSQL server binaries, and `scripts/deps.sh` having installed dynalite into .deps/.

_HARNESS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
_HARNESS_DIR=${_HARNESS_DIR:-}
_HARNESS_PG_STARTED=${_HARNESS_PG_STARTED:-}
_HARNESS_DDB_PID=${_HARNESS_DDB_PID:-}

_harness_log() { echo "harness: $*" >&2; }

# Run a command as the user that owns the cluster: `postgres` when we are root, else ourselves.
# The cwd moves into the temp dir so that the postgres user never trips over an unreadable cwd.
_harness_as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$_HARNESS_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$_HARNESS_DIR" && "$@")
    fi
}

# Print N distinct free TCP ports on 127.0.0.1, one per line.
_harness_free_ports() {
    local n=$1 py=
    for py in /usr/bin/python3 python3; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" - "$n" <<'EOF' && return 0
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
EOF
        fi
    done
    # No python: probe random ports in the ephemeral-free range with bash's /dev/tcp.
    local found=0 port tries=0 seen=" "
    while [ "$found" -lt "$n" ] && [ "$tries" -lt 500 ]; do
        tries=$((tries + 1))
        port=$((20000 + RANDOM % 20000))
        case "$seen" in *" $port "*) continue ;; esac
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            seen="$seen$port "
            echo "$port"
            found=$((found + 1))
        fi
    done
    [ "$found" -eq "$n" ]
}

# Folder with pg_ctl: PATH first, else the newest /usr/lib/postgresql/*/bin.
_harness_pg_bindir() {
    local p d
    if p=$(command -v pg_ctl 2>/dev/null) && [ -n "$p" ]; then
        p=$(readlink -f "$p")
        dirname "$p"
        return 0
    fi
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ -n "$d" ] && [ -x "$d/pg_ctl" ]; then
        echo "$d"
        return 0
    fi
    return 1
}

_harness_ddb_answers() {
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST \
        -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -d '{}' "http://127.0.0.1:$1/" 2>/dev/null) || true
    [ -n "$code" ] && [ "$code" != "000" ]
}

_harness_start_pg() {
    local bindir=$1 port=$2 password=$3 initdb
    initdb="$bindir/initdb"
    [ -x "$initdb" ] || initdb=$(command -v initdb 2>/dev/null) || {
        _harness_log "initdb not found (install postgresql: scripts/deps.sh)"
        return 1
    }
    if [ ! -d "$_HARNESS_DIR/pg" ]; then
        printf '%s\n' "$password" >"$_HARNESS_DIR/pgpass"
        chmod 600 "$_HARNESS_DIR/pgpass"
        if [ "$(id -u)" -eq 0 ]; then chown postgres: "$_HARNESS_DIR/pgpass"; fi
        if ! _harness_as_pg "$initdb" -D "$_HARNESS_DIR/pg" -U postgres --auth=scram-sha-256 \
                --pwfile="$_HARNESS_DIR/pgpass" --encoding=UTF8 --locale=C --no-sync \
                >"$_HARNESS_DIR/initdb.log" 2>&1; then
            cat "$_HARNESS_DIR/initdb.log" >&2
            _harness_log "initdb failed"
            rm -f "$_HARNESS_DIR/pgpass"
            return 1
        fi
        rm -f "$_HARNESS_DIR/pgpass"
    fi
    _harness_as_pg "$bindir/pg_ctl" -w -t 60 -D "$_HARNESS_DIR/pg" \
        -o "-p $port -k $_HARNESS_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        -l "$_HARNESS_DIR/pg.log" start >/dev/null 2>&1
}

_harness_start_ddb() {
    local bin=$1 port=$2 i
    "$bin" --port "$port" </dev/null >>"$_HARNESS_DIR/dynalite.log" 2>&1 &
    _HARNESS_DDB_PID=$!
    for ((i = 0; i < 300; i++)); do # up to ~30 s
        if ! kill -0 "$_HARNESS_DDB_PID" 2>/dev/null; then
            wait "$_HARNESS_DDB_PID" 2>/dev/null || true
            _HARNESS_DDB_PID=
            return 1
        fi
        _harness_ddb_answers "$port" && return 0
        sleep 0.1
    done
    return 1
}

harness_start() {
    if [ -n "$_HARNESS_DIR" ]; then
        _harness_log "already started ($_HARNESS_DIR)"
        return 0
    fi
    local dynalite="$_HARNESS_ROOT/.deps/node_modules/.bin/dynalite"
    if [ ! -x "$dynalite" ]; then
        _harness_log "dynalite not found at .deps/node_modules/.bin/dynalite (run scripts/deps.sh)"
        return 1
    fi
    command -v curl >/dev/null 2>&1 || { _harness_log "curl not found (run scripts/deps.sh)"; return 1; }
    local bindir
    bindir=$(_harness_pg_bindir) || {
        _harness_log "PostgreSQL server binaries (pg_ctl) not found (run scripts/deps.sh)"
        return 1
    }

    # Temp dir. As root the cluster runs as `postgres`, which must own the dir (data dir, socket,
    # log live there); a TMPDIR it cannot reach (e.g. inside a private home folder) falls back to /tmp.
    _HARNESS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/devenv-test.XXXXXX") || { _HARNESS_DIR=; return 1; }
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$_HARNESS_DIR"
        if ! runuser -u postgres -- test -w "$_HARNESS_DIR" 2>/dev/null; then
            rm -rf "$_HARNESS_DIR"
            _HARNESS_DIR=$(mktemp -d /tmp/devenv-test.XXXXXX) || { _HARNESS_DIR=; return 1; }
            chown postgres: "$_HARNESS_DIR"
        fi
    fi
    chmod 700 "$_HARNESS_DIR"

    local password attempt ports pg_port='' ddb_port=
    password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

    # A picked port can be taken between picking and binding: retry with fresh ports.
    for attempt in 1 2 3; do
        if [ "$attempt" -gt 1 ]; then _harness_log "PostgreSQL did not start, retrying"; fi
        ports=$(_harness_free_ports 1) || { _harness_log "no free port"; harness_stop; return 1; }
        pg_port=$ports
        if _harness_start_pg "$bindir" "$pg_port" "$password"; then
            _HARNESS_PG_STARTED=1
            break
        fi
        [ -d "$_HARNESS_DIR/pg" ] || { harness_stop; return 1; } # initdb failed: no retry
        pg_port=
    done
    if [ -z "$pg_port" ]; then
        [ -f "$_HARNESS_DIR/pg.log" ] && tail -n 20 "$_HARNESS_DIR/pg.log" >&2
        _harness_log "PostgreSQL did not start"
        harness_stop
        return 1
    fi

    for attempt in 1 2 3; do
        if [ "$attempt" -gt 1 ]; then _harness_log "dynalite did not start, retrying"; fi
        ddb_port=$(_harness_free_ports 1) || ddb_port=
        if [ -n "$ddb_port" ] && _harness_start_ddb "$dynalite" "$ddb_port"; then
            break
        fi
        if [ -n "$_HARNESS_DDB_PID" ]; then
            kill "$_HARNESS_DDB_PID" 2>/dev/null || true
            wait "$_HARNESS_DDB_PID" 2>/dev/null || true
            _HARNESS_DDB_PID=
        fi
        ddb_port=
    done
    if [ -z "$ddb_port" ]; then
        tail -n 20 "$_HARNESS_DIR/dynalite.log" >&2 2>/dev/null || true
        _harness_log "dynalite did not start"
        harness_stop
        return 1
    fi

    export DEVENV_TEST_PG_PORT=$pg_port
    export DEVENV_TEST_PG_PASSWORD=$password
    export DEVENV_TEST_PG_URL="postgresql://postgres:$password@127.0.0.1:$pg_port/postgres"
    export DEVENV_TEST_PG_BINDIR=$bindir
    export DEVENV_TEST_DDB_PORT=$ddb_port
    export DEVENV_TEST_DDB_ENDPOINT="http://127.0.0.1:$ddb_port"
    export DEVENV_TEST_TMP=$_HARNESS_DIR
    export DEVENV_TEST_DYNALITE=$dynalite
    return 0
}

harness_stop() {
    local i
    if [ -n "$_HARNESS_DDB_PID" ]; then
        kill "$_HARNESS_DDB_PID" 2>/dev/null || true
        # wait only works for our own child; poll as well in case we are not its parent.
        wait "$_HARNESS_DDB_PID" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$_HARNESS_DDB_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$_HARNESS_DDB_PID" 2>/dev/null || true
        _HARNESS_DDB_PID=
    fi
    if [ -n "$_HARNESS_PG_STARTED" ] && [ -n "$_HARNESS_DIR" ] && [ -d "$_HARNESS_DIR/pg" ]; then
        local bindir=${DEVENV_TEST_PG_BINDIR:-}
        [ -n "$bindir" ] || bindir=$(_harness_pg_bindir) || true
        if [ -n "$bindir" ]; then
            _harness_as_pg "$bindir/pg_ctl" -D "$_HARNESS_DIR/pg" -m fast -w -t 30 stop \
                >/dev/null 2>&1 || true
        fi
        # Last resort if pg_ctl could not stop it: the postmaster pid is the first line of its pid file.
        if [ -f "$_HARNESS_DIR/pg/postmaster.pid" ]; then
            local pid
            pid=$(head -n 1 "$_HARNESS_DIR/pg/postmaster.pid" 2>/dev/null) || true
            if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
        fi
    fi
    _HARNESS_PG_STARTED=
    if [ -n "$_HARNESS_DIR" ]; then
        rm -rf "$_HARNESS_DIR" || true
        _HARNESS_DIR=
    fi
    unset DEVENV_TEST_PG_URL DEVENV_TEST_PG_PORT DEVENV_TEST_PG_PASSWORD DEVENV_TEST_PG_BINDIR \
        DEVENV_TEST_DDB_ENDPOINT DEVENV_TEST_DDB_PORT DEVENV_TEST_TMP DEVENV_TEST_DYNALITE
    return 0
}
