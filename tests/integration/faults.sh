# Faults, checked by reading the databases back: PostgreSQL killed in the
# middle of a seed, dynalite killed in the middle of a seed, a DynamoDB that
# answers slowly or drops connections, three runs contending for the lock,
# SIGTERM at random points of a reset. Afterwards: the complete data or the
# previous state, never a mix; and the next up completes.
. "$(dirname "$0")/lib.sh"
need_servers
: "${DEVENV_TEST_DYNALITE:?}"
export PATH="$(dirname "$DEVENV_TEST_DYNALITE"):$PATH"
export AWS_ACCESS_KEY_ID=devenvtest AWS_SECRET_ACCESS_KEY=devenvtestsecret AWS_DEFAULT_REGION=us-east-1
tools=$(cd "$(dirname "$0")/../tools" && pwd)
pids=()
finish() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -d "$T/own" ]; then
		local c
		c=${cluster:-$(json_get "$T/own/.devenv/state.json" 'j.get("service.pg", "")' 2>/dev/null || true)}
		"$DEVENV" -C "$T/own" stop >/dev/null 2>&1
		# A cluster run as the postgres user lives outside the state dir.
		[ -n "$c" ] && rm -rf "$c" "$c.pw"
	fi
	rm -rf "$T"
}
trap finish EXIT
count_items() { aws dynamodb scan --endpoint-url "$1" --table-name "$2" --select COUNT --output text --query Count 2>/dev/null | awk '{s+=$1} END {print s+0}'; }
rows() { psql -X -A -t -q "$1" -c "SELECT count(*) FROM t" 2>/dev/null || echo none; }

# 1. PostgreSQL killed mid-seed (a server of the test's own, started by devenv).
pg=$(closed_port)
ddb=$(closed_port)
make_repo "$T/own" <<INI
[postgres]
url = postgresql://postgres:Fault-Pw-1@localhost:$pg/faults
schema = db/schema.sql
seed = db/seed.sql
wait_timeout = 20
[dynamodb]
endpoint = http://localhost:$ddb
region = us-east-1
schema = ddb/schema.json
seed = ddb/ftab.jsonl
wait_timeout = 20
INI
mkdir -p "$T/own/db" "$T/own/ddb"
cd "$T/own"
echo "CREATE TABLE t (id int PRIMARY KEY);" >db/schema.sql
/usr/bin/python3 -c "
with open('db/seed.sql', 'w') as f:
    f.write(''.join(f'INSERT INTO t VALUES ({i});\n' for i in range(1, 150001)))
import json
json.dump({'TableName': 'ftab', 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'}],
           'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}], 'BillingMode': 'PAY_PER_REQUEST'},
          open('ddb/schema.json', 'w'))
with open('ddb/ftab.jsonl', 'w') as f:
    f.write(''.join(json.dumps({'Item': {'id': {'S': f'k{i}'}, 'pad': {'S': 'x' * 200}}}) + '\n' for i in range(8000)))"
url=postgresql://postgres:Fault-Pw-1@localhost:$pg/faults
dv up
expect_rc 0
full_rows=$(rows "$url")
full_items=$(count_items "http://localhost:$ddb" ftab)
[ "$full_rows" = 150000 ] && [ "$full_items" = 8000 ] || fail "first up: $full_rows rows, $full_items items"

echo "-- changed" >>db/seed.sql
"$DEVENV" up >"$T/up.log" 2>&1 &
up=$!
for _ in $(seq 400); do grep -q "^pg.schema-load" "$T/up.log" && break; sleep 0.01; done
sleep 0.15
cluster=$(json_get .devenv/state.json 'j["service.pg"]')
# The server and its backends at once: a backend alone would finish the batch.
pm=$(head -1 "$cluster/postmaster.pid")
pkill -9 -P "$pm" || true
kill -9 "$pm"
wait_rc $up
[ "$rc" = 1 ] || [ "$rc" = 69 ] || fail "PostgreSQL killed: exit $rc: $(cat "$T/up.log")"
grep -q "devenv: " "$T/up.log" || fail "no message"
dv status --json
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'j["ready"]')" = False ] || fail "ready after a killed seed"
# The next up starts the server again and redoes the chain: complete.
dv up
expect_rc 0
[ "$(rows "$url")" = 150000 ] || fail "after recovery: $(rows "$url") rows"

# 2. dynalite killed mid-seed: the next up finds the table gone and rebuilds it.
touch ddb/ftab.jsonl
echo >>ddb/ftab.jsonl
"$DEVENV" up >"$T/up.log" 2>&1 &
up=$!
for _ in $(seq 400); do grep -q "^ddb.schema-load" "$T/up.log" && break; sleep 0.01; done
sleep 0.2
kill -9 "$(cat .devenv/dynamodb.pid)"
wait_rc $up
[ "$rc" != 0 ] || fail "dynalite killed, yet up succeeded"
dv up
expect_rc 0
[ "$(count_items "http://localhost:$ddb" ftab)" = 8000 ] || fail "after recovery: $(count_items "http://localhost:$ddb" ftab) items"
dv stop
cd "$T"

# 3. A DynamoDB that answers slowly, or drops connections: all items arrive.
for mode in slow drop; do
	rm -f "$T/port"
	/usr/bin/python3 "$tools/ddb_fault_proxy.py" "$DEVENV_TEST_DDB_PORT" "$T/port" "$mode" &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	table="faults-$mode-$$"
	make_repo "$T/$mode" <<INI
[dynamodb]
endpoint = http://127.0.0.1:$(cat "$T/port")
region = us-east-1
schema = schema.json
seed = $table.jsonl
concurrency = 8
INI
	cd "$T/$mode"
	/usr/bin/python3 -c "
import json
json.dump({'TableName': '$table', 'AttributeDefinitions': [{'AttributeName': 'id', 'AttributeType': 'S'}],
           'KeySchema': [{'AttributeName': 'id', 'KeyType': 'HASH'}], 'BillingMode': 'PAY_PER_REQUEST'},
          open('schema.json', 'w'))
with open('$table.jsonl', 'w') as f:
    f.write(''.join(json.dumps({'Item': {'id': {'S': f'k{i}'}}}) + '\n' for i in range(500)))"
	dv run ddb.seed
	expect_rc 0
	[ "$(count_items "$DEVENV_TEST_DDB_ENDPOINT" "$table")" = 500 ] || fail "$mode: $(count_items "$DEVENV_TEST_DDB_ENDPOINT" "$table") items"
	cd "$T"
done

# 4. Three runs at once: one after another, none refused, never overlapping.
make_repo "$T/lock" <<'INI'
[devenv]
lock_timeout = 60
[plugin.span]
run = echo "start $(date +%s%N)" >> "$DEVENV_STATE_DIR/spans"; sleep 0.3; echo "end $(date +%s%N)" >> "$DEVENV_STATE_DIR/spans"
INI
cd "$T/lock"
for i in 1 2 3; do "$DEVENV" -q run span >"$T/lock$i.log" 2>&1 & pids+=($!); done
for i in 1 2 3; do wait "${pids[${#pids[@]}-4+i]}" || fail "run $i failed: $(cat "$T/lock$i.log")"; done
[ "$(awk '{print $1}' .devenv/spans | tr '\n' ' ')" = "start end start end start end " ] ||
	fail "runs overlapped: $(cat .devenv/spans)"

# 5. SIGTERM at random points of a reset: the seed is all there or not at all.
base=${DEVENV_TEST_PG_URL%/postgres}
make_repo "$T/reset" <<INI
[postgres]
url = $base/devenv_it_faults
schema = schema.sql
seed = seed.sql
start = never
INI
cd "$T/reset"
echo "DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY);" >schema.sql
/usr/bin/python3 -c "
with open('seed.sql', 'w') as f:
    f.write(''.join(f'INSERT INTO t VALUES ({i});\n' for i in range(1, 100001)))"
dv reset pg
expect_rc 0
# Five points at random in the first 900 ms (printed, to replay a failure).
delays=$(for _ in 1 2 3 4 5; do printf '0.%03d ' $((RANDOM % 900 + 20)); done)
echo "SIGTERM after: $delays"
for delay in $delays; do
	"$DEVENV" -q reset pg >/dev/null 2>&1 &
	r=$!
	sleep "$delay"
	kill -TERM $r 2>/dev/null || true
	wait_rc $r
	[ "$rc" = 0 ] || [ "$rc" = 143 ] || fail "reset stopped at $delay s: exit $rc"
	n=$(rows "$base/devenv_it_faults")
	case "$n" in 0 | 100000 | none) ;; *) fail "a mix after SIGTERM at $delay s: $n rows" ;; esac
	dv up
	expect_rc 0
	[ "$(rows "$base/devenv_it_faults")" = 100000 ] || fail "up after SIGTERM at $delay s"
done
echo ok
