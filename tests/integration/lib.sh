# lib.sh: what every integration test sources. Tests run the real devenv
# binary ($DEVENV) in throwaway repositories; those that need servers use
# the suite's PostgreSQL and dynalite (DEVENV_TEST_* from the harness).
set -euo pipefail

: "${DEVENV:?DEVENV must name the devenv binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/devenv-it.XXXXXX")
cleanup() { rm -rf "$T"; }
trap cleanup EXIT
export NO_COLOR=1
unset DEVENV_ENV DEVENV_PLUGIN_PATH DEVENV_CONFIRM AWS_ENDPOINT_URL CONNECTION_URL || true

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# wait_rc PID: waits for a background job; sets rc to its exit status.
wait_rc() {
	set +e
	wait "$1"
	rc=$?
	set -e
}

# dv ARGS...: runs devenv; sets rc, out, err (stdin from /dev/null).
dv() {
	set +e
	"$DEVENV" "$@" >"$T/.out" 2>"$T/.err" </dev/null
	rc=$?
	set -e
	out=$(cat "$T/.out")
	err=$(cat "$T/.err")
}

expect_rc() {
	[ "$rc" = "$1" ] || fail "expected exit $1, got $rc
--- stdout:
$out
--- stderr:
$err"
}
expect_out() { grep -qF -- "$1" "$T/.out" || fail "stdout lacks '$1':
$out
--- stderr:
$err"; }
expect_err() { grep -qF -- "$1" "$T/.err" || fail "stderr lacks '$1':
$err"; }
expect_no() { ! grep -qF -- "$1" "$T/.out" "$T/.err" || fail "output has '$1':
$out
$err"; }

# make_repo DIR: a git repository with devenv.ini read from stdin.
make_repo() {
	mkdir -p "$1"
	git init -q "$1"
	cat >"$1/devenv.ini"
}

# json_get FILE EXPR: evaluates a Python expression on the JSON in FILE (as j).
json_get() {
	/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

need_servers() {
	if [ -z "${DEVENV_TEST_PG_URL:-}" ] || [ -z "${DEVENV_TEST_DDB_ENDPOINT:-}" ]; then
		echo "no test servers (run through scripts/test.sh)"
		exit 77
	fi
}

# A TCP port nothing listens on.
closed_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# pg_repo DB: a repository in $T/r (the current folder after) whose [postgres]
# is a fresh database DB on the suite's server, with db/schema.sql (a table t)
# and db/seed.sql (one row). Sets base and url; q SQL queries the database.
pg_repo() {
	base=${DEVENV_TEST_PG_URL%/postgres}
	url=$base/$1
	make_repo "$T/r" <<INI
[postgres]
url = $url
schema = db/schema.sql
seed = db/seed.sql
INI
	mkdir -p "$T/r/db"
	cd "$T/r"
	echo "DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY);" >db/schema.sql
	echo "INSERT INTO t VALUES (1);" >db/seed.sql
	psql -X -q "$base/postgres" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" 2>/dev/null
}
q() { psql -X -A -t -q "$url" -c "$1"; }
