# devenv wait against the suite's real servers, and against a closed port.
. "$(dirname "$0")/lib.sh"
need_servers

make_repo "$T/r" <<INI
[postgres]
url = $DEVENV_TEST_PG_URL
[dynamodb]
endpoint = $DEVENV_TEST_DDB_ENDPOINT
INI
cd "$T/r"
dv wait
expect_rc 0
expect_out "pg.wait"
expect_out "ddb.wait"
dv wait pg
expect_rc 0
expect_no "ddb.wait"
dv -v wait ddb
expect_rc 0
expect_no "$DEVENV_TEST_PG_PASSWORD"

# Nothing listens: exit 69 after the timeout, with the reason.
port=$(closed_port)
cat >"$T/r/devenv.ini" <<INI
[postgres]
url = postgresql://postgres:pw@127.0.0.1:$port/x
wait_timeout = 1
[dynamodb]
endpoint = http://127.0.0.1:$port
wait_timeout = 1
INI
start=$(date +%s%N)
dv wait
expect_rc 69
expect_err "PostgreSQL did not become ready in 1 s"
expect_err "DynamoDB did not become ready in 1 s"
expect_err "connection refused"
# Both waited at once: about one timeout, not two.
elapsed=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed" -lt 1900 ] || fail "the two waits did not overlap (${elapsed} ms)"
dv wait pg --timeout 0
expect_rc 69
echo ok
