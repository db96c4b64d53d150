# status: exact row and item counts on local targets; on any other (production)
# the servers' own estimates, marked "~", so that status never reads a whole
# production table (a count(*) or a Scan that DynamoDB would bill).
. "$(dirname "$0")/lib.sh"
need_servers

tools=$(cd "$(dirname "$0")/../tools" && pwd)
# The DynamoDB requests go through a recording proxy: which operations status
# makes is seen, not guessed.
/usr/bin/python3 "$tools/ddb_fault_proxy.py" "$DEVENV_TEST_DDB_PORT" "$T/port" record &
proxy=$!
trap 'kill "$proxy" 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
pp=$(cat "$T/port")

pg_repo devenv_it_status
cd "$T/r"
mkdir -p db ddb
echo 'CREATE TABLE items (id int PRIMARY KEY);' >db/schema.sql
echo 'INSERT INTO items SELECT generate_series(1, 3);' >db/seed.sql
echo '{"TableName": "devenv-it-status", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}' >ddb/schema.json
echo '{"devenv-it-status": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}, {"PutRequest": {"Item": {"pk": {"S": "b"}}}}]}' >ddb/seed.json
cat >>devenv.ini <<INI
[dynamodb]
endpoint = http://127.0.0.1:$pp
schema = ddb/schema.json
seed = ddb/seed.json
INI
export AWS_ACCESS_KEY_ID=devenvstatus AWS_SECRET_ACCESS_KEY=devenvstatussecret AWS_DEFAULT_REGION=us-east-1
dv reset
expect_rc 0

# Local: exact.
: >"$T/port.ops"
dv status --json
expect_rc 0
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'j["postgres"]["counts"]')" = exact ] || fail "pg counts: $out"
[ "$(json_get "$T/s.json" 'j["postgres"]["tables"]["public.items"]')" = 3 ] || fail "pg rows: $out"
[ "$(json_get "$T/s.json" 'j["dynamodb"]["counts"]')" = exact ] || fail "ddb counts: $out"
[ "$(json_get "$T/s.json" 'j["dynamodb"]["tables"]["devenv-it-status"]')" = 2 ] || fail "ddb items: $out"
grep -qx Scan "$T/port.ops" || fail "no Scan for a local count: $(cat "$T/port.ops")"
dv status
expect_out "public.items                         3 rows"
expect_out "devenv-it-status                     2 items"

# Elsewhere: the same servers, reached under names that are not local. The
# PostgreSQL URL names a remote host but connects to hostaddr (as libpq
# does); 0.0.0.0 reaches this machine but is not loopback by address.
sed -i "s|^url = postgresql://\([^@]*\)@127.0.0.1:\([0-9]*\)/\(.*\)$|url = postgresql://\1@db.example.com:\2/\3?hostaddr=127.0.0.1|" devenv.ini
sed -i "s|^endpoint = http://127.0.0.1:|endpoint = http://0.0.0.0:|" devenv.ini
grep -q 'db.example.com' devenv.ini && grep -q '0.0.0.0' devenv.ini || fail "devenv.ini not rewritten: $(cat devenv.ini)"
psql -X -q "$url" -c 'ANALYZE items' || fail "analyze"
: >"$T/port.ops"
dv status --json
expect_rc 0
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'j["postgres"]["reachable"]')" = True ] || fail "pg not reached: $out"
[ "$(json_get "$T/s.json" 'j["postgres"]["counts"]')" = estimated ] || fail "pg counts: $out"
# The planner's estimate, right after ANALYZE.
[ "$(json_get "$T/s.json" 'j["postgres"]["tables"]["public.items"]')" = 3 ] || fail "pg estimate: $out"
[ "$(json_get "$T/s.json" 'j["dynamodb"]["reachable"]')" = True ] || fail "ddb not reached: $out"
[ "$(json_get "$T/s.json" 'j["dynamodb"]["counts"]')" = estimated ] || fail "ddb counts: $out"
# DescribeTable's ItemCount (dynalite never updates it from 0; DynamoDB every
# six hours or so): a number, and no Scan.
[ "$(json_get "$T/s.json" 'type(j["dynamodb"]["tables"]["devenv-it-status"]).__name__')" = int ] ||
	fail "ddb estimate: $out"
grep -qx DescribeTable "$T/port.ops" || fail "no DescribeTable: $(cat "$T/port.ops")"
! grep -qx Scan "$T/port.ops" || fail "status scanned a production table"
dv status
expect_out "public.items                         ~3 rows"
expect_out "devenv-it-status                     ~"

psql -X -q "$DEVENV_TEST_PG_URL" -c "DROP DATABASE IF EXISTS devenv_it_status WITH (FORCE)"
aws dynamodb --endpoint-url "$DEVENV_TEST_DDB_ENDPOINT" delete-table --table-name devenv-it-status >/dev/null 2>&1 || true
echo ok
