# DynamoDB in production: the real endpoint for the region (found as the AWS
# CLI finds it), destructive plugins refused on it (exit 77) unless
# --allow-destructive and the table names typed back; secrets never printed.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/home/.aws"
export HOME=$T/home
unset AWS_REGION AWS_DEFAULT_REGION AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB || true
printf '[default]\nregion = eu-west-3\n[profile other]\nregion = ap-south-1\n' >"$HOME/.aws/config"
export AWS_ACCESS_KEY_ID=AKIAPRODTESTKEY AWS_SECRET_ACCESS_KEY=Pr0dS3cretValue/ForTests+XYZ

make_repo "$T/r" <<'INI'
[dynamodb]
endpoint = http://localhost:8000
schema = schema.json
wait_timeout = 0
INI
cd "$T/r"
echo '{"TableName": "cruddur-messages", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}' >schema.json

# -e prod ignores the local endpoint: the real one, in the config file's region.
dv -e prod status --json
expect_rc 0
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'j["dynamodb"]["endpoint"]')" = https://dynamodb.eu-west-3.amazonaws.com ] || fail "prod endpoint: $out"
AWS_PROFILE=other dv -e prod status --json
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'j["dynamodb"]["endpoint"]')" = https://dynamodb.ap-south-1.amazonaws.com ] || fail "profile region"
AWS_REGION=ca-central-1 dv -e prod status --json
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'j["dynamodb"]["endpoint"]')" = https://dynamodb.ca-central-1.amazonaws.com ] || fail "AWS_REGION"

# Destructive on production: refused before anything runs.
dv -e prod reset ddb
expect_rc 77
expect_err "refusing ddb.drop"
expect_err "cruddur-messages"
DEVENV_CONFIRM=wrong dv -e prod --allow-destructive reset ddb
expect_rc 77
# Any *.amazonaws.com endpoint is protected, whatever the environment says.
sed -i 's|^endpoint = .*|endpoint = https://dynamodb.us-east-1.amazonaws.com|' devenv.ini
dv reset ddb
expect_rc 77
expect_err "not local"
dv run ddb.drop
expect_rc 77
# Confirmed, the guard lets it through (there is no network here: the wait fails).
DEVENV_CONFIRM=cruddur-messages dv --allow-destructive -v reset ddb
expect_rc 69
expect_out "ddb.wait"

# The secret key and the Authorization header never show, at -v either.
for args in "-v reset ddb" "-v --allow-destructive reset ddb" "-v status" "-v ddb tables" "-e prod -v up"; do
	# shellcheck disable=SC2086
	DEVENV_CONFIRM=cruddur-messages dv $args
	expect_no "Pr0dS3cretValue"
	expect_no "Authorization"
	expect_no "AWS4-HMAC-SHA256"
done
echo ok
