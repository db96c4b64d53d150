# The example project's conversation seed: users from PostgreSQL, items in
# DynamoDB, read back with the AWS CLI and checked against the Cruddur model.
. "$(dirname "$0")/lib.sh"
need_servers

export AWS_ACCESS_KEY_ID=devenvtest AWS_SECRET_ACCESS_KEY=devenvtestsecret AWS_DEFAULT_REGION=us-east-1
ep=$DEVENV_TEST_DDB_ENDPOINT
src=$(cd "$(dirname "$0")/../.." && pwd)
db=devenv_it_conv
table="it-conv-$$"

# The example project as it is, pointed at the suite's servers.
mkdir -p "$T/r"
cp -r "$src/db" "$src/ddb" "$src/devenv.ini" "$T/r/"
git init -q "$T/r"
sed -i "s/cruddur-messages/$table/" "$T/r/ddb/schema.json"
cd "$T/r"
export CONNECTION_URL=${DEVENV_TEST_PG_URL%/postgres}/$db AWS_ENDPOINT_URL=$ep
sed -i "s/^table = .*/table = $table/" devenv.ini
psql -X -q "${DEVENV_TEST_PG_URL}" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"

dv up
expect_rc 0
expect_out "cruddur.conversation"
me=$(psql -X -A -t "$CONNECTION_URL" -c "SELECT uuid FROM users WHERE handle = 'andrewbrown'")
other=$(psql -X -A -t "$CONNECTION_URL" -c "SELECT uuid FROM users WHERE handle = 'bayko'")
lines=$(wc -l <ddb/conversation.txt)

aws dynamodb query --endpoint-url "$ep" --table-name "$table" --key-condition-expression 'pk = :pk' \
	--expression-attribute-values "{\":pk\":{\"S\":\"GRP#$me\"}}" >"$T/grp.json"
[ "$(json_get "$T/grp.json" 'j["Count"]')" = 1 ] || fail "my group item"
group=$(json_get "$T/grp.json" 'j["Items"][0]["message_group_uuid"]["S"]')
[ "$(json_get "$T/grp.json" 'j["Items"][0]["user_uuid"]["S"]')" = "$other" ] || fail "group item names the other user"
[ "$(json_get "$T/grp.json" 'j["Items"][0]["user_handle"]["S"]')" = bayko ] || fail "other handle"
[ "$(json_get "$T/grp.json" 'j["Items"][0]["user_display_name"]["S"]')" = "Andrew Bayko" ] || fail "other name"
json_get "$T/grp.json" 'j["Items"][0]["sk"]["S"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\+00:00$' || fail "sk is ISO-8601"
aws dynamodb query --endpoint-url "$ep" --table-name "$table" --key-condition-expression 'pk = :pk' \
	--expression-attribute-values "{\":pk\":{\"S\":\"GRP#$other\"}}" >"$T/grp2.json"
[ "$(json_get "$T/grp2.json" 'j["Items"][0]["user_uuid"]["S"]')" = "$me" ] || fail "other's group item"
[ "$(json_get "$T/grp2.json" 'j["Items"][0]["message_group_uuid"]["S"]')" = "$group" ] || fail "one group"

aws dynamodb query --endpoint-url "$ep" --table-name "$table" --key-condition-expression 'pk = :pk' \
	--expression-attribute-values "{\":pk\":{\"S\":\"MSG#$group\"}}" >"$T/msg.json"
[ "$(json_get "$T/msg.json" 'j["Count"]')" = "$lines" ] || fail "one message item per line"
# In order, a minute apart, the sender's identity on each, the text as written.
/usr/bin/python3 - "$T/msg.json" ddb/conversation.txt "$me" "$other" <<'PY' || fail "message items do not match the model"
import json, sys, datetime
items = json.load(open(sys.argv[1]))["Items"]
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
me, other = sys.argv[3], sys.argv[4]
times = [datetime.datetime.fromisoformat(i["sk"]["S"]) for i in items]
assert all((b - a).total_seconds() == 60 for a, b in zip(times, times[1:])), "a minute apart"
now = datetime.datetime.now(datetime.timezone.utc)
assert abs((now - times[0]).total_seconds() - 86400) < 600, "the first a day ago"
for item, line in zip(items, lines):
    who, text = line.split(": ", 1)
    assert item["message"]["S"] == text, (item["message"]["S"], text)
    assert item["user_uuid"]["S"] == (me if who == "Person 1" else other)
    assert item["user_handle"]["S"] == ("andrewbrown" if who == "Person 1" else "bayko")
    assert len(item["message_uuid"]["S"]) == 36
print("ok")
PY
# The GSI answers by group.
aws dynamodb query --endpoint-url "$ep" --table-name "$table" --index-name message-group-sk-index \
	--key-condition-expression 'message_group_uuid = :g' --expression-attribute-values "{\":g\":{\"S\":\"$group\"}}" \
	--select COUNT --output text --query Count | grep -qx 2 || fail "GSI by group"

# An edited conversation reruns alone at the next up, and replaces what it
# wrote before instead of adding a second copy.
echo "Person 1: One more thing; see you Friday." >>ddb/conversation.txt
dv up
expect_rc 0
expect_out "cruddur.conversation"
expect_no "pg.seed"
[ "$(aws dynamodb scan --endpoint-url "$ep" --table-name "$table" --select COUNT --output text --query Count)" = $((lines + 3)) ] ||
	fail "a rerun duplicated the conversation"

# A reset of PostgreSQL gives the users new uuids; the conversation that
# follows replaces the old one instead of leaving it beside (it once did).
dv reset pg
expect_rc 0
expect_out "cruddur.conversation"
[ "$(aws dynamodb scan --endpoint-url "$ep" --table-name "$table" --select COUNT --output text --query Count)" = $((lines + 3)) ] ||
	fail "a reset of PostgreSQL left the old conversation behind"

# A bad line: exit 65 naming it, nothing written.
total=$(aws dynamodb scan --endpoint-url "$ep" --table-name "$table" --select COUNT --output text --query Count)
sed -i '3s/^Person [12]: /Person 3: /' ddb/conversation.txt
dv run cruddur.conversation
expect_rc 65
expect_err "ddb/conversation.txt:3:1: expected 'Person 1: text' or 'Person 2: text'"
[ "$(aws dynamodb scan --endpoint-url "$ep" --table-name "$table" --select COUNT --output text --query Count)" = "$total" ] ||
	fail "a bad conversation wrote items"
# A missing user is a clear error.
git -C "$T/r" checkout -q -- . 2>/dev/null || cp "$src/ddb/conversation.txt" ddb/
sed -i 's/^other_handle = .*/other_handle = nobody/' devenv.ini
dv run cruddur.conversation
expect_rc 65
expect_err "no user with handle 'nobody'"
echo ok
