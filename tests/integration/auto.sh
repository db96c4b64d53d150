# start = auto from zero: nothing answers on the configured localhost ports,
# so devenv starts a PostgreSQL cluster (scram-sha-256, loopback, in the
# state dir) and a dynalite, seeds both; the daemon restarts a server that
# dies; stop stops everything.
. "$(dirname "$0")/lib.sh"
: "${DEVENV_TEST_DYNALITE:?}"
export PATH="$(dirname "$DEVENV_TEST_DYNALITE"):$PATH"
export AWS_ACCESS_KEY_ID=devenvtest AWS_SECRET_ACCESS_KEY=devenvtestsecret AWS_DEFAULT_REGION=us-east-1
pg=$(closed_port)
ddb=$(closed_port)
src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$T/r"
cp -r "$src/db" "$src/ddb" "$src/devenv.ini" "$T/r/"
git init -q "$T/r"
cd "$T/r"
stop_all() {
	"$DEVENV" -C "$T/r" stop >/dev/null 2>&1 || true
	# A cluster run as the postgres user lives outside the state dir.
	cluster=${cluster:-$(json_get "$T/r/.devenv/state.json" 'j.get("service.pg", "")' 2>/dev/null || true)}
	[ -n "${cluster:-}" ] && rm -rf "$cluster" "$cluster.pw"
	rm -rf "$T"
}
trap stop_all EXIT
export CONNECTION_URL="postgresql://postgres:Auto-Pw-123@localhost:$pg/cruddur" AWS_ENDPOINT_URL="http://localhost:$ddb"

dv up --daemon
expect_rc 0
expect_err "starting PostgreSQL on 127.0.0.1:$pg"
expect_err "starting dynalite on 127.0.0.1:$ddb"
expect_out "cruddur.conversation"
dv wait --ready --timeout 30
expect_rc 0
[ "$(psql -X -A -t "$CONNECTION_URL" -c 'SELECT count(*) FROM users')" = 3 ] || fail "users"
# Password authentication, on loopback only, in a private state dir.
PGPASSWORD=wrong psql -X -A -t -h 127.0.0.1 -p "$pg" -U postgres -d cruddur -c 'SELECT 1' >/dev/null 2>&1 &&
	fail "a wrong password was accepted"
[ "$(psql -X -A -t "$CONNECTION_URL" -c 'SHOW listen_addresses')" = 127.0.0.1 ] || fail "listens beyond loopback"
cluster=$(json_get .devenv/state.json 'j["service.pg"]')
grep -q "scram-sha-256" "$cluster/pg_hba.conf" || fail "no scram-sha-256"
grep -Eq "^[^#]*trust" "$cluster/pg_hba.conf" && fail "trust in pg_hba.conf"
[ "$(stat -c %a .devenv)" = 700 ] || fail "state dir mode $(stat -c %a .devenv)"
[ "$(stat -c %a "$cluster")" = 700 ] || fail "cluster dir mode $(stat -c %a "$cluster")"
ss -ltnH "sport = :$ddb" | grep -q "127.0.0.1:$ddb" || fail "dynalite is not on loopback only: $(ss -ltnH "sport = :$ddb")"
dv ddb tables
expect_out "cruddur-messages"

# The watcher starts a server that dies again.
ddbpid=$(cat .devenv/dynamodb.pid)
kill "$ddbpid"
for _ in $(seq 200); do
	[ -s .devenv/dynamodb.pid ] && [ "$(cat .devenv/dynamodb.pid)" != "$ddbpid" ] &&
		curl -s -o /dev/null "http://127.0.0.1:$ddb" && break
	sleep 0.05
done
[ "$(cat .devenv/dynamodb.pid)" != "$ddbpid" ] || fail "dynalite was not restarted: $(tail -5 .devenv/devenv.log)"
dv wait --ready --timeout 30
expect_rc 0

# stop: the watcher and both servers.
cluster=$(json_get .devenv/state.json 'j["service.pg"]')
dv stop
expect_rc 0
expect_err "stopped PostgreSQL"
expect_err "stopped the local DynamoDB"
psql -X -A -t "$CONNECTION_URL" -c 'SELECT 1' >/dev/null 2>&1 && fail "PostgreSQL still answers"
curl -s -o /dev/null "http://127.0.0.1:$ddb" && fail "dynalite still answers"
echo ok
