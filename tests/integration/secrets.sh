# Secrets: every command, at -v, against URLs and credentials with distinctive
# passwords and keys; no output, log file or error may contain them.
. "$(dirname "$0")/lib.sh"
need_servers

pw='S3cr3t-Pg-Pw-Q9z'
key='S3cr3t-Aws-Key-Q9z'
token='S3cr3t-Aws-Token-Q9z'
base=${DEVENV_TEST_PG_URL%/postgres}
psql -X -q "$DEVENV_TEST_PG_URL" -c "DROP DATABASE IF EXISTS devenv_it_secrets WITH (FORCE)" \
	-c "DROP ROLE IF EXISTS devenv_secret_user" 2>/dev/null || true
psql -X -q "$DEVENV_TEST_PG_URL" -c "CREATE ROLE devenv_secret_user LOGIN CREATEDB PASSWORD '$pw'"
hostport=${base#postgresql://*@}
url="postgresql://devenv_secret_user:$pw@$hostport/devenv_it_secrets"
export AWS_ACCESS_KEY_ID=AKIASECRETTEST AWS_SECRET_ACCESS_KEY=$key AWS_SESSION_TOKEN=$token AWS_DEFAULT_REGION=us-east-1
table="it-secrets-$$"

make_repo "$T/r" <<INI
[postgres]
url = $url
prod_url = $url
schema = db/schema.sql
seed = db/seed.sql
[dynamodb]
endpoint = $DEVENV_TEST_DDB_ENDPOINT
schema = ddb/schema.json
seed = ddb/$table.jsonl
[plugin.echo-env]
run = echo "pg url in the environment: \$DEVENV_PG_URL"
after = pg.seed
INI
mkdir -p "$T/r/db" "$T/r/ddb"
cd "$T/r"
echo "CREATE TABLE t (id int PRIMARY KEY, s text);" >db/schema.sql
echo "INSERT INTO t VALUES (1, 'one');" >db/seed.sql
echo "{\"TableName\": \"$table\", \"AttributeDefinitions\": [{\"AttributeName\": \"id\", \"AttributeType\": \"S\"}], \"KeySchema\": [{\"AttributeName\": \"id\", \"KeyType\": \"HASH\"}], \"BillingMode\": \"PAY_PER_REQUEST\"}" >ddb/schema.json
echo '{"Item": {"id": {"S": "a"}}}' >"ddb/$table.jsonl"

check() { # ARGS...: run at -v; nothing may show a secret
	DEVENV_CONFIRM=devenv_it_secrets dv -v "$@"
	for s in "$pw" "$key" "$token" "Authorization:" "AWS4-HMAC-SHA256"; do
		grep -qF -- "$s" "$T/.out" "$T/.err" && fail "'$*' printed a secret ($s):
$out
$err"
	done
	return 0
}
check plugins
check plugins --json
check run pg.seed
check up
check up
check reset
check wait
check wait --ready --timeout 5
check status
check status --json
check pg sessions
check ddb tables
check ddb scan "$table"
check run no.such.plugin
check -e prod --allow-destructive reset pg
check up --daemon
sleep 0.5
echo "INSERT INTO t VALUES (2, 'two');" >>db/seed.sql
sleep 1
check stop
# Failures: a wrong password, a bad statement, a server that is not there.
sed -i "s|^url = .*|url = postgresql://devenv_secret_user:Wr0ng-$pw@$hostport/devenv_it_secrets|" devenv.ini
check run pg.create
sed -i "s|^url = .*|url = $url|" devenv.ini
echo "INSERT INTO t VALUES ('$pw');" >db/seed.sql
check run pg.seed
sed -i "s|^url = .*|url = postgresql://devenv_secret_user:$pw@127.0.0.1:$(closed_port)/x|; s|^schema = db/schema.sql|schema = db/schema.sql\nwait_timeout = 0\nstart = never|" devenv.ini
check up
# A password given as ?password= (libpq reads that too) is masked as well.
sed -i "s|^url = .*|url = postgresql://devenv_secret_user@$hostport/devenv_it_secrets?password=$pw|" devenv.ini
check status
check status --json
check run pg.create
# pg connect: psql gets the password in its environment, not on its
# command line, where every user's ps would show it.
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "argv: $*"\necho "env: ${PGPASSWORD:+set}"\n' >"$T/bin/psql"
chmod +x "$T/bin/psql"
PATH="$T/bin:$PATH" dv pg connect -- -c "select 1"
expect_rc 0
expect_out "env: set"
expect_out "argv: "
expect_out "-c select 1"
grep -qF -- "$pw" "$T/.out" && fail "pg connect put the password on psql's command line"

# No file devenv wrote holds them either.
for s in "$pw" "$key" "$token"; do
	if grep -rlF -- "$s" .devenv 2>/dev/null; then fail "a file in the state dir holds a secret"; fi
done
psql -X -q "$DEVENV_TEST_PG_URL" -c "DROP DATABASE IF EXISTS devenv_it_secrets WITH (FORCE)" -c "DROP ROLE IF EXISTS devenv_secret_user" 2>/dev/null
echo ok
