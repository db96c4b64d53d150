# DynamoDB plugins against the suite's real dynalite (500 ms CREATING delay):
# schema-load, drop, seed (RequestItems and export JSONL), tables, scan with
# pagination, reset ddb, up twice, a bad item at a known line.
. "$(dirname "$0")/lib.sh"
need_servers

export AWS_ACCESS_KEY_ID=devenvtest AWS_SECRET_ACCESS_KEY=devenvtestsecret AWS_DEFAULT_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN || true
ep=$DEVENV_TEST_DDB_ENDPOINT
pfx="it-ddb-$$"
count() { aws dynamodb scan --endpoint-url "$ep" --table-name "$1" --select COUNT --output text --query Count; }

make_repo "$T/r" <<INI
[dynamodb]
endpoint = $ep
region = us-east-1
schema = ddb/schema.json
seed = ddb/seed.json ddb/$pfx-events.jsonl
wait_timeout = 20
INI
mkdir -p "$T/r/ddb"
cd "$T/r"
cat >ddb/schema.json <<JSON
[
  {"TableName": "$pfx-items",
   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                            {"AttributeName": "g", "AttributeType": "S"}],
   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
   "GlobalSecondaryIndexes": [{"IndexName": "g-index", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                               "Projection": {"ProjectionType": "ALL"},
                               "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}],
   "BillingMode": "PROVISIONED",
   "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}},
  {"TableName": "$pfx-events",
   "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
   "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
   "BillingMode": "PAY_PER_REQUEST"}
]
JSON
# 60 items in RequestItems shape (more than two batches of 25), all types.
/usr/bin/python3 - "$pfx" <<'PY'
import json, sys
pfx = sys.argv[1]
items = [{"PutRequest": {"Item": {
    "pk": {"S": f"user#{i % 7}"}, "sk": {"N": str(i)}, "g": {"S": f"g{i % 3}"},
    "text": {"S": f"item {i}; \"quoted\" é"}, "flag": {"BOOL": i % 2 == 0}, "none": {"NULL": True},
    "tags": {"SS": ["a", f"t{i}"]}, "nums": {"NS": ["1", "2.5", "-3e2"]}, "bin": {"B": "AAEC"},
    "nested": {"M": {"list": {"L": [{"N": "1"}, {"S": "x"}, {"M": {}}]}}}}}} for i in range(60)]
json.dump({f"{pfx}-items": items}, open("ddb/seed.json", "w"), indent=1)
with open(f"ddb/{pfx}-events.jsonl", "w") as f:
    for i in range(30):
        f.write(json.dumps({"Item": {"id": {"S": f"e{i}"}, "n": {"N": str(i)}}}) + "\n")
PY

dv run ddb.seed
expect_rc 0
expect_out "ddb.schema-load"
expect_out "90 items"
[ "$(count "$pfx-items")" = 60 ] || fail "items count"
[ "$(count "$pfx-events")" = 30 ] || fail "events count"
# The GSI is ACTIVE too: schema-load waited for it.
[ "$(aws dynamodb describe-table --endpoint-url "$ep" --table-name "$pfx-items" --query 'Table.GlobalSecondaryIndexes[0].IndexStatus' --output text)" = ACTIVE ] ||
	fail "GSI not active"
# Values survive the trip exactly.
aws dynamodb get-item --endpoint-url "$ep" --table-name "$pfx-items" --key '{"pk":{"S":"user#3"},"sk":{"N":"10"}}' >"$T/item.json"
[ "$(json_get "$T/item.json" 'j["Item"]["text"]["S"]')" = 'item 10; "quoted" é' ] || fail "string value"
[ "$(json_get "$T/item.json" 'j["Item"]["nested"]["M"]["list"]["L"][1]["S"]')" = x ] || fail "nested value"

dv ddb tables
expect_rc 0
expect_out "$pfx-items"
expect_out "ACTIVE"
dv ddb tables --json
expect_rc 0
printf '%s' "$out" >"$T/t.json"
json_get "$T/t.json" '[t["name"] for t in j]' | grep -q "$pfx-events" || fail "tables json"

# up twice: the second touches nothing (an item put between survives).
dv up
expect_rc 0
aws dynamodb put-item --endpoint-url "$ep" --table-name "$pfx-events" --item '{"id":{"S":"survivor"}}'
dv up
expect_rc 0
expect_out "up to date"
expect_no "ddb.seed"
[ "$(count "$pfx-events")" = 31 ] || fail "up touched the table"

# reset ddb: drop (waits until gone), create, seed: the extra item is gone.
dv reset ddb
expect_rc 0
expect_out "ddb.drop"
[ "$(count "$pfx-events")" = 30 ] || fail "reset ddb"

# A bad item at a known line: exit 65, nothing written.
before=$(count "$pfx-events")
printf '{"Item": {"id": {"S": "new1"}}}\n{"Item": {"id": {"S": "new2"}}}\n{"Item": {"id": {"N": "3"}}}\n' >"ddb/$pfx-events.jsonl"
dv run ddb.seed
expect_rc 65
expect_err "ddb/$pfx-events.jsonl:3: key attribute 'id' is N, the schema says S"
[ "$(count "$pfx-events")" = "$before" ] || fail "a bad seed wrote items"
for bad in '{"Item": {"id": {"S": "x"}, "v": {"Q": "1"}}}' '{"Item": {"id": {"S": "x"}, "v": {"N": "12abc"}}}' \
	'{"Item": {"v": {"S": "no key"}}}' '{"Item": {"id": {"S": "x"}, "v": {"SS": []}}}' '{"Item": {"id": {"S": "x"}}' \
	'{"Item": {"id": {"S": "x"}, "v": {"BOOL": "yes"}}}' '{"Item": {"id": {"S": "x"}, "v": {"N": "1.2.3"}}}'; do
	printf '{"Item": {"id": {"S": "ok"}}}\n%s\n' "$bad" >"ddb/$pfx-events.jsonl"
	dv run ddb.seed
	expect_rc 65
	expect_err "ddb/$pfx-events.jsonl:2"
done
# Duplicate keys in RequestItems: named by index.
/usr/bin/python3 - "$pfx" <<'PY'
import json, sys
pfx = sys.argv[1]
it = lambda i: {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": str(i)}}}}
json.dump({f"{pfx}-items": [it(1), it(2), it(1)]}, open("ddb/seed.json", "w"))
PY
printf '' >"ddb/$pfx-events.jsonl"
dv run ddb.seed
expect_rc 65
expect_err "ddb/seed.json: $pfx-items[2]: the same key as ddb/seed.json $pfx-items[0]"
# Equal numbers written differently are one key to DynamoDB.
echo "{\"$pfx-items\": [{\"PutRequest\": {\"Item\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"1\"}}}},
 {\"PutRequest\": {\"Item\": {\"pk\": {\"S\": \"a\"}, \"sk\": {\"N\": \"10e-1\"}}}}]}" >ddb/seed.json
dv run ddb.seed
expect_rc 65
expect_err "$pfx-items[1]: the same key as ddb/seed.json $pfx-items[0]"
echo '{"no-such-table": [{"PutRequest": {"Item": {"id": {"S": "1"}}}}]}' >ddb/seed.json
dv run ddb.seed
expect_rc 65
expect_err "table 'no-such-table' is not in the [dynamodb] schema"
[ "$(count "$pfx-events")" = "$before" ] || fail "bad seeds wrote items"

# Scan beyond one page (1 MB): 300 items of 5 KB.
/usr/bin/python3 - "$pfx" <<'PY'
import json, sys
pfx = sys.argv[1]
json.dump({f"{pfx}-items": [{"PutRequest": {"Item": {"pk": {"S": "big"}, "sk": {"N": str(i)}, "g": {"S": "x"},
           "blob": {"S": "x" * 5000}}}} for i in range(300)]}, open("ddb/seed.json", "w"))
PY
dv run ddb.seed
expect_rc 0
dv ddb scan "$pfx-items"
expect_rc 0
[ "$(grep -c '"big"' "$T/.out")" = 300 ] || fail "scan did not follow LastEvaluatedKey: $(grep -c '"big"' "$T/.out") items"
dv ddb scan "$pfx-items" --limit 7 --json
expect_rc 0
printf '%s' "$out" >"$T/scan.json"
[ "$(json_get "$T/scan.json" 'len(j)')" = 7 ] || fail "scan --limit"
dv ddb scan
expect_rc 64
echo ok
