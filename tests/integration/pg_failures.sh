# PostgreSQL failures: a wrong password (clear error, never the password), no
# server (exit 69 after the timeout).
. "$(dirname "$0")/lib.sh"
need_servers

port=${DEVENV_TEST_PG_PORT}
bad="postgresql://postgres:Wr0ngPassw0rdXyz@127.0.0.1:$port/devenv_it_fail"
make_repo "$T/r" <<INI
[postgres]
url = $bad
INI
cd "$T/r"
for cmd in "run pg.create" "-v run pg.create" "status" "-v status --json" "pg sessions"; do
	# shellcheck disable=SC2086
	dv $cmd
	expect_no "Wr0ngPassw0rdXyz"
done
dv run pg.create
expect_rc 1
expect_err "password authentication failed"
expect_err "postgresql://postgres:***@127.0.0.1:$port"

closed=$(closed_port)
cat >devenv.ini <<INI
[postgres]
url = postgresql://postgres:pw@127.0.0.1:$closed/x
wait_timeout = 1
start = never
INI
dv run pg.seed
expect_rc 69
expect_err "PostgreSQL did not become ready in 1 s"
expect_out "skipped"
dv up
expect_rc 69
echo ok
