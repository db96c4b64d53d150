# BatchWriteItem retries: through a proxy that throttles, fails with 500 and
# hands back UnprocessedItems, every item still arrives exactly once; a
# server that always throttles makes devenv give up after bounded tries.
. "$(dirname "$0")/lib.sh"
need_servers

export AWS_ACCESS_KEY_ID=devenvtest AWS_SECRET_ACCESS_KEY=devenvtestsecret AWS_DEFAULT_REGION=us-east-1
tools=$(cd "$(dirname "$0")/../tools" && pwd)
ep=$DEVENV_TEST_DDB_ENDPOINT
table="it-retry-$$"
proxies=()
stop_proxies() { for p in "${proxies[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap stop_proxies EXIT

start_proxy() { # MODE -> sets proxy_ep
	rm -f "$T/port"
	/usr/bin/python3 "$tools/ddb_fault_proxy.py" "$DEVENV_TEST_DDB_PORT" "$T/port" "$1" &
	proxies+=($!)
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	proxy_ep=http://127.0.0.1:$(cat "$T/port")
}

make_repo "$T/r" </dev/null
cd "$T/r"
cat >schema.json <<JSON
{"TableName": "$table", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
 "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}
JSON
/usr/bin/python3 -c "
import json
json.dump({'$table': [{'PutRequest': {'Item': {'id': {'S': f'k{i}'}, 'v': {'N': str(i)}}}} for i in range(1000)]}, open('seed.json', 'w'))"

start_proxy flaky
cat >devenv.ini <<INI
[dynamodb]
endpoint = $proxy_ep
region = us-east-1
schema = schema.json
seed = seed.json
concurrency = 4
INI
dv run ddb.seed
expect_rc 0
expect_err "retries"
expect_out "1000 items"
# Read back from the server itself, not through the proxy or devenv.
[ "$(aws dynamodb scan --endpoint-url "$ep" --table-name "$table" --select COUNT --output text --query Count)" = 1000 ] ||
	fail "items lost on the way"
aws dynamodb get-item --endpoint-url "$ep" --table-name "$table" --key '{"id":{"S":"k777"}}' >"$T/i.json"
[ "$(json_get "$T/i.json" 'j["Item"]["v"]["N"]')" = 777 ] || fail "item value"

# Always throttled: bounded tries with backoff, then a clear failure.
start_proxy throttle
sed -i "s|^endpoint = .*|endpoint = $proxy_ep|" devenv.ini
start=$(date +%s)
dv run ddb.seed
expect_rc 1
expect_err "gave up after 10 tries"
expect_err "ThrottlingException"
[ $(($(date +%s) - start)) -lt 60 ] || fail "retries were not bounded"
echo ok
