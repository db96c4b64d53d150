#!/usr/bin/env bash
# run-case.sh CASE_DIR: runs one case of the bad-input corpus (see README.md here) against the
# suite's real servers and checks that devenv fails the way the contract says, without crashing,
# hanging or writing anything.
#
# Env: DEVENV (the binary), DEVENV_TEST_PG_URL, DEVENV_TEST_DDB_ENDPOINT (from the harness).
# Exit: 0 pass, 1 fail (with the reason), 77 when the servers or clients are not available.
set -euo pipefail

case_dir=${1:?usage: run-case.sh CASE_DIR}
case_dir=$(cd "$case_dir" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd) # the example project (db/, ddb/) lives at the repository root
name=$(basename "$case_dir")
area=$(basename "$(dirname "$case_dir")")

fail() {
	echo "FAIL: corpus case $area/$name: $*" >&2
	exit 1
}
skip() {
	echo "SKIP: corpus case $area/$name: $*"
	exit 77
}

: "${DEVENV:?DEVENV must name the devenv binary}"
[ -f "$case_dir/expect" ] || fail "no expect file"
if [ -z "${DEVENV_TEST_PG_URL:-}" ] || [ -z "${DEVENV_TEST_DDB_ENDPOINT:-}" ]; then
	skip "no test servers (run through scripts/test.sh)"
fi
command -v psql >/dev/null 2>&1 || skip "psql not found"
command -v aws >/dev/null 2>&1 || skip "aws CLI not found"
command -v git >/dev/null 2>&1 || skip "git not found"

export NO_COLOR=1 LC_ALL=C.UTF-8
export AWS_ACCESS_KEY_ID=devenvcorpus AWS_SECRET_ACCESS_KEY=devenvcorpussecret AWS_DEFAULT_REGION=us-east-1
unset DEVENV_ENV DEVENV_PLUGIN_PATH DEVENV_CONFIRM CONNECTION_URL PROD_CONNECTION_URL \
	AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB AWS_PROFILE AWS_SESSION_TOKEN || true

# --- expect -------------------------------------------------------------------------------------
command_line='' setup_line='' expect_exit='' unchanged=yes limit=60
messages=()
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in '' | '#'*) continue ;; esac
	key=${line%%=*}
	val=${line#*=}
	[ "$key" != "$line" ] || fail "expect: not 'key = value': $line"
	key=$(echo "$key" | tr -d ' \t')
	val=${val#"${val%%[![:space:]]*}"}
	val=${val%"${val##*[![:space:]]}"}
	case "$key" in
		command) command_line=$val ;;
		setup) setup_line=$val ;;
		exit) expect_exit=$val ;;
		message) messages+=("$val") ;;
		unchanged) unchanged=$val ;;
		timeout) limit=$val ;;
		*) fail "expect: unknown key '$key'" ;;
	esac
done <"$case_dir/expect"
[ -n "$command_line" ] || fail "expect: no 'command'"
[[ "$expect_exit" =~ ^[0-9]+$ ]] || fail "expect: 'exit' is not a number"

# --- names --------------------------------------------------------------------------------------
lname=$(printf '%s_%s' "$area" "$name" | tr 'A-Z-' 'a-z_' | tr -cd 'a-z0-9_')
db=corpus_${lname}
db=${db:0:63}
table=corpus-$area-$name-$$
table_prefix=corpus-$area-$name-$$
base=${DEVENV_TEST_PG_URL%/postgres}
url=$base/$db
ep=$DEVENV_TEST_DDB_ENDPOINT

use_ddb=yes # until the repository is known
known_tables= # the case's tables as the last state read found them
T=$(mktemp -d "${TMPDIR:-/tmp}/devenv-corpus.XXXXXX")
repo=$T/repo
cleanup() {
	set +e
	chmod -R u+rwX "$T" 2>/dev/null || true
	rm -rf "$T"
	psql -X -q "$DEVENV_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	local t
	[ -n "$known_tables" ] || known_tables=$(ddb_tables 2>/dev/null)
	for t in $known_tables; do
		aws dynamodb delete-table --endpoint-url "$ep" --table-name "$t" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT

ddb_tables() { # the case's tables (names that start with its prefix)
	local all
	[ "$use_ddb" = yes ] || return 0
	all=$(aws dynamodb list-tables --endpoint-url "$ep" --output text --query 'TableNames[]') || return 1
	printf '%s\n' "$all" | tr '\t' '\n' | grep -F -- "$table_prefix" || true
}

# --- the repository -----------------------------------------------------------------------------
mkdir -p "$repo"
git init -q "$repo"
(cd "$case_dir" && tar --exclude=./expect --exclude=./make -cf - .) | (cd "$repo" && tar -xf -)
if [ -f "$case_dir/make" ]; then
	bash "$case_dir/make" "$repo" || fail "its make script failed"
fi

# Placeholders: TABLE in ddb/*.json, ddb/*.jsonl (names and contents) and devenv.ini;
# @PG_URL@ and @DDB_ENDPOINT@ in devenv.ini.
subst() { # FILE: regular, readable, writable files only (junk stays junk)
	[ -f "$1" ] && [ ! -L "$1" ] && [ -r "$1" ] && [ -w "$1" ] || return 0
	LC_ALL=C sed -i -e "s/TABLE/$table/g" -e "s|@PG_URL@|$url|g" -e "s|@DDB_ENDPOINT@|$ep|g" "$1"
}
if [ -d "$repo/ddb" ] && [ ! -L "$repo/ddb" ]; then
	while IFS= read -r -d '' f; do
		mv "$f" "$(dirname "$f")/$(basename "$f" | sed "s/TABLE/$table/g")"
	done < <(find "$repo/ddb" -maxdepth 1 -name '*TABLE*' -print0)
	for f in "$repo"/ddb/*.json "$repo"/ddb/*.jsonl; do subst "$f"; done
fi
exists() { [ -e "$1" ] || [ -L "$1" ]; }

if ! exists "$repo/devenv.ini"; then
	# Defaults, only for what the case does not bring itself.
	if exists "$repo/ddb/conversation.txt"; then
		mkdir -p "$repo/db"
		exists "$repo/db/schema.sql" || cp "$root/db/schema.sql" "$repo/db/"
		exists "$repo/db/seed.sql" || cp "$root/db/seed.sql" "$repo/db/"
		exists "$repo/ddb/schema.json" || sed "s/cruddur-messages/$table/g" "$root/ddb/schema.json" >"$repo/ddb/schema.json"
	fi
	if exists "$repo/db/seed.sql" && ! exists "$repo/db/schema.sql"; then
		cat >"$repo/db/schema.sql" <<'SQL'
DROP TABLE IF EXISTS items;
CREATE TABLE items (id int PRIMARY KEY, note text NOT NULL);
SQL
	fi
	ddb_seeds=()
	for f in "$repo"/ddb/seed.json "$repo"/ddb/*.jsonl; do
		exists "$f" && ddb_seeds+=("ddb/$(basename "$f")")
	done
	if [ "${#ddb_seeds[@]}" -gt 0 ] && ! exists "$repo/ddb/schema.json"; then
		cat >"$repo/ddb/schema.json" <<JSON
{"TableName": "$table",
 "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
 "BillingMode": "PAY_PER_REQUEST"}
JSON
	fi
	{
		echo "[postgres]"
		echo "url = $url"
		exists "$repo/db/schema.sql" && echo "schema = db/schema.sql"
		exists "$repo/db/seed.sql" && echo "seed = db/seed.sql"
		echo "start = never"
		echo "wait_timeout = 10"
		echo
		echo "[dynamodb]"
		echo "endpoint = $ep"
		echo "region = us-east-1"
		exists "$repo/ddb/schema.json" && echo "schema = ddb/schema.json"
		[ "${#ddb_seeds[@]}" -gt 0 ] && echo "seed = ${ddb_seeds[*]}"
		echo "start = never"
		echo "wait_timeout = 10"
		if exists "$repo/ddb/conversation.txt"; then
			echo
			echo "[conversation]"
			echo "file = ddb/conversation.txt"
			echo "table = $table"
			echo "my_handle = andrewbrown"
			echo "other_handle = bayko"
		fi
	} >"$repo/devenv.ini"
else
	subst "$repo/devenv.ini"
fi

# DynamoDB state only for cases that can touch DynamoDB at all (the AWS CLI is slow to start).
use_ddb=no
if exists "$repo/ddb" || grep -aq 'ddb/' "$repo/devenv.ini" 2>/dev/null; then use_ddb=yes; fi

# --- state --------------------------------------------------------------------------------------
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
psql -X -q "$DEVENV_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 ||
	fail "cannot reach the suite's PostgreSQL"

# Every relation of the case's database (row counts for tables), every item count of its tables.
# A missing database reads as an empty one.
state() {
	if [ "$(q "$DEVENV_TEST_PG_URL" -c "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 1 ]; then
		q "$url" -c "
SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname ||
       CASE WHEN c.relkind IN ('r', 'p') THEN ' ' || (xpath('/row/c/text()', query_to_xml(
            format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text
       ELSE '' END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1" || return 1
	fi
	local t tables
	tables=$(ddb_tables) || return 1
	known_tables=$tables
	for t in $tables; do
		echo "ddb $t $(aws dynamodb scan --endpoint-url "$ep" --table-name "$t" --select COUNT \
			--output text --query Count 2>&1 | tr '\n' ' ')"
	done
}

show() { # FILE: at most 4000 bytes of it
	if [ "$(wc -c <"$1")" -gt 4000 ]; then
		head -c 4000 "$1"
		echo "... ($(wc -c <"$1") bytes)"
	else
		cat "$1"
	fi
}

cd "$repo"
read -r -a setup_args <<<"$setup_line"
if [ "${#setup_args[@]}" -gt 0 ]; then
	set +e
	timeout -k 5 "$limit" "$DEVENV" "${setup_args[@]}" >"$T/setup.out" 2>"$T/setup.err" </dev/null
	rc=$?
	set -e
	[ "$rc" = 0 ] || fail "setup '$setup_line' exited $rc
--- stdout:
$(show "$T/setup.out")
--- stderr:
$(show "$T/setup.err")"
fi
if [ "$unchanged" = yes ]; then
	state >"$T/before" || fail "cannot read the databases' state"
	if [ -n "${CORPUS_VERBOSE:-}" ]; then sed 's/^/state: /' "$T/before"; fi
fi

# --- the run ------------------------------------------------------------------------------------
read -r -a args <<<"${command_line//TABLE/$table}"
set +e
timeout -k 5 "$limit" "$DEVENV" "${args[@]}" >"$T/out" 2>"$T/err" </dev/null
rc=$?
set -e
report="devenv ${args[*]}
--- stdout:
$(show "$T/out")
--- stderr:
$(show "$T/err")"

# Every problem is reported, not just the first.
problems=()
if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && [ "$expect_exit" != "$rc" ]; then
	problems+=("hang: no exit within $limit s")
elif [ "$rc" -ge 128 ] && [ "$expect_exit" != "$rc" ]; then
	problems+=("crash: exit $rc (signal $((rc - 128))), expected $expect_exit")
elif [ "$rc" != "$expect_exit" ]; then
	problems+=("exit $rc, expected $expect_exit")
fi
for s in "ERROR: AddressSanitizer" "runtime error:" "LeakSanitizer" "ERROR: ThreadSanitizer"; do
	if grep -aqF -- "$s" "$T/out" "$T/err"; then
		problems+=("sanitizer report ('$s')")
	fi
done
for m in "${messages[@]}"; do
	m=${m//TABLE/$table}
	grep -aqF -- "$m" "$T/err" || problems+=("stderr lacks '$m'")
done
if [ "$unchanged" = yes ]; then
	if ! state >"$T/after"; then
		problems+=("cannot read the databases' state after the run")
	elif ! cmp -s "$T/before" "$T/after"; then
		problems+=("the databases changed (a partial write):
$(diff "$T/before" "$T/after" | sed -n 's/^</  before:/p; s/^>/  after: /p' || true)")
	fi
fi
if [ "${#problems[@]}" -gt 0 ]; then
	fail "$(printf '%s\n' "${problems[@]}")
$report"
fi
if [ -n "${CORPUS_VERBOSE:-}" ]; then echo "$report"; fi
echo "ok: $area/$name (exit $rc)"
