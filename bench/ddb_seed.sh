#!/usr/bin/env bash
# Benchmark: seeding DynamoDB (dynalite) from one BatchWriteItem-shaped JSON file of N items.
# Three writers, each run 7 times into a freshly recreated table, item count checked after each:
#
#   devenv  `devenv -q run ddb.seed` (concurrency 8); its time includes ddb.wait and ddb.schema-load
#           (the table exists, so schema-load skips it) and process start
#   boto3   bench/boto3_seed.py: Table.batch_writer(), as a Cruddur-style bin/ddb/seed does it
#   limit   bench/ddb_limit.c: 8 keep-alive connections, one pre-built request in flight on
#           each, no parsing, no signing: what the server itself can take
#
# Every time is the wall time of the whole process, on one dynalite warmed by an untimed pass,
# the tools taking turns. Prints each tool's median, and boto3_ms/devenv_ms (goal >= 3x) and
# limit_ms/devenv_ms (goal >= 85%), and boto3_ms/limit_ms: the most any client could reach
# against boto3 on this server. When the build has no ddb.seed plugin yet (or does not
# compile), the devenv row says so and the others still run. Exits 1 when a tool that ran failed
# or left a wrong item count.
#
#   bench/ddb_seed.sh [ITEMS]      (default 20000; BENCH_RUNS=N for N runs per tool, default 7)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
items=${1:-20000}
case $items in '' | *[!0-9]* | 0*) echo "usage: bench/ddb_seed.sh [ITEMS]  (ITEMS a positive integer)" >&2; exit 64 ;; esac
table=bench-items
conns=8
runs_per_tool=${BENCH_RUNS:-7}
case $runs_per_tool in '' | *[!0-9]* | 0*) echo "bench: BENCH_RUNS must be a positive integer" >&2; exit 64 ;; esac

scripts/deps.sh
work=$(mktemp -d)
# shellcheck source=tests/harness/servers.sh
source tests/harness/servers.sh
trap 'harness_stop >/dev/null 2>&1; rm -rf "$work"' EXIT

# devenv: a build that fails (e.g. someone is half-way through an edit) costs only the devenv row.
devenv_state=ok
if ! { [ -f build/meson-private/coredata.dat ] || meson setup build --buildtype=debugoptimized; } >"$work/build.log" 2>&1 ||
	! meson compile -C build >>"$work/build.log" 2>&1; then
	tail -n 20 "$work/build.log" >&2
	echo "bench: the devenv build failed; the devenv row is skipped" >&2
	devenv_state="build failed"
fi
cc -O2 -Wall -Wextra -o "$work/ddb_limit" bench/ddb_limit.c

harness_start >/dev/null
endpoint=$DEVENV_TEST_DDB_ENDPOINT
# Dummy credentials (dynalite takes any). devenv masks their values wherever they appear in its
# output, so they must not be a substring of the table name.
export AWS_ACCESS_KEY_ID=AKIDDUMMYKEYID AWS_SECRET_ACCESS_KEY=dummysecretaccesskey AWS_DEFAULT_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB

cd "$work"
git init -q .
# The seed items are exactly what bench/ddb_limit.c sends: keep the two generators in step.
/usr/bin/python3 - "$items" "$table" <<'PY'
import json, sys
n, table = int(sys.argv[1]), sys.argv[2]
schema = {
    "TableName": table,
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
with open("schema.json", "w") as f:
    json.dump(schema, f, indent=2)
filler = "the quick brown fox jumps over the lazy dog; "
def message(i):
    m = f"message {i:08d} "
    return (m + filler * 3)[:100]
with open(f"{table}.json", "w") as f:
    f.write("{" + json.dumps(table) + ": [\n")
    for i in range(n):
        item = {"pk": {"S": f"bench#{i % 100:03d}"}, "sk": {"S": f"item#{i:08d}"},
                "message": {"S": message(i)}, "n": {"N": str(i)}}
        f.write(("," if i else "") + json.dumps({"PutRequest": {"Item": item}}) + "\n")
    f.write("]}\n")
PY
cat >devenv.ini <<INI
[dynamodb]
endpoint = $endpoint
region = us-east-1
schema = schema.json
seed = $table.json
concurrency = $conns
INI

if [ "$devenv_state" = ok ]; then
	plugins=$("$root/build/devenv" plugins -v 2>&1) || true
	grep -q '^ddb\.seed[[:space:]]' <<<"$plugins" || devenv_state="ddb.seed not built"
fi

ddb() { aws dynamodb --endpoint-url "$endpoint" --output text "$@"; }
table_status() { ddb describe-table --table-name "$table" --query Table.TableStatus 2>/dev/null || echo GONE; }
# wait_for STATUS: poll until the table is in STATUS (GONE: deleted); dynalite takes ~500 ms.
wait_for() {
	local want=$1 deadline=$((SECONDS + 60)) got
	while got=$(table_status) && [ "$got" != "$want" ]; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "bench: table $table is $got, not $want, after 60 s" >&2
			exit 1
		fi
		sleep 0.1
	done
}
recreate_table() {
	ddb delete-table --table-name "$table" >/dev/null 2>&1 || true
	wait_for GONE
	ddb create-table --cli-input-json file://schema.json >/dev/null
	wait_for ACTIVE
}
# scan --select COUNT, summed: the CLI pages through the table and (aws-cli v1) prints one Count
# per page. (describe-table's ItemCount is no use: dynalite never updates it, it stays 0.)
item_count() {
	ddb scan --table-name "$table" --select COUNT --query Count | awk '{ n += $1 } END { print n + 0 }'
}

# run_timed LOG CMD...: run CMD with its output in LOG; ms = its wall milliseconds.
run_timed() {
	local log=$1 t0 t1 rc=0
	shift
	t0=$(date +%s%N)
	"$@" >"$log" 2>&1 || rc=$?
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	return "$rc"
}
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

declare -A median_ms runs_ms state
tools=(devenv boto3 limit)
for tool in "${tools[@]}"; do state[$tool]=ok; done
[ "$devenv_state" = ok ] || state[devenv]=$devenv_state

# dynalite is a single-threaded node process whose first thousands of requests run cold (JIT, heap
# growth): one untimed pass warms it, and the tools take turns (run 1 of each, then run 2 ...) so
# that none of them gets all the cold or all the warm runs. Each round starts with the next tool:
# a run pays for the garbage the run before it left in dynalite's heap (a fast writer leaves more
# of it sooner than boto3 does), so in a fixed order one tool would always follow the same one.
recreate_table
"$work/ddb_limit" 127.0.0.1 "$DEVENV_TEST_DDB_PORT" "$table" "$items" "$conns" >/dev/null
for run in $(seq "$runs_per_tool"); do
	for turn in "${!tools[@]}"; do
		tool=${tools[$(((turn + run - 1) % ${#tools[@]}))]}
		[ "${state[$tool]}" = ok ] || continue
		recreate_table
		log=$work/$tool.$run.log
		case $tool in
		devenv) cmd=("$root/build/devenv" -q run ddb.seed) ;;
		boto3) cmd=(/usr/bin/python3 "$root/bench/boto3_seed.py" "$endpoint" us-east-1 "$table.json") ;;
		limit) cmd=("$work/ddb_limit" 127.0.0.1 "$DEVENV_TEST_DDB_PORT" "$table" "$items" "$conns") ;;
		esac
		if ! run_timed "$log" "${cmd[@]}"; then
			echo "bench: $tool run $run failed:" >&2
			tail -n 20 "$log" >&2
			state[$tool]="FAILED (run $run)"
			continue
		fi
		got=$(item_count)
		if [ "$got" != "$items" ]; then
			echo "bench: $tool run $run left $got items in $table, not $items" >&2
			state[$tool]="FAILED (run $run: $got items)"
			continue
		fi
		runs_ms[$tool]+="${runs_ms[$tool]:+ }$ms"
	done
done
failed=0
for tool in "${tools[@]}"; do
	if [ "${state[$tool]}" = ok ]; then
		# shellcheck disable=SC2086 # the runs are a space-separated list of numbers
		median_ms[$tool]=$(median ${runs_ms[$tool]})
	elif [ "$tool" != devenv ] || [ "$devenv_state" = ok ]; then
		failed=1
	fi
done

per_s() { awk -v n="$items" -v ms="$1" 'BEGIN { printf "%.0f", (ms > 0 ? n * 1000 / ms : 0) }'; }
declare -A label=([devenv]="devenv (concurrency $conns)" [boto3]="boto3 batch_writer" [limit]="limit (ddb_limit, $conns conns)")
echo
printf 'DynamoDB seed: %s items into dynalite, median of %s, whole-process wall time\n' "$items" "$runs_per_tool"
printf '%-28s %9s %10s   %s\n' tool ms items/s runs
for tool in "${tools[@]}"; do
	if [ "${state[$tool]}" = ok ]; then
		printf '%-28s %9s %10s   %s\n' "${label[$tool]}" "${median_ms[$tool]}" \
			"$(per_s "${median_ms[$tool]}")" "${runs_ms[$tool]}"
	elif [ "$tool" = devenv ]; then
		printf '%-28s devenv: %s\n' "${label[$tool]}" "${state[$tool]}"
	else
		printf '%-28s %s\n' "${label[$tool]}" "${state[$tool]}"
	fi
done
echo
# verdict VALUE GOAL: "met" or "MISSED"
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v >= g) ? "met" : "MISSED" }'; }
if [ "${state[devenv]}" = ok ] && [ "${state[boto3]}" = ok ]; then
	r=$(awk -v b="${median_ms[boto3]}" -v d="${median_ms[devenv]}" 'BEGIN { printf "%.2f", b / d }')
	printf '%-44s %7sx   goal >= 3x    %s\n' "devenv vs boto3 (boto3_ms / devenv_ms)" "$r" "$(verdict "$r" 3)"
else
	printf '%-44s %8s   goal >= 3x\n' "devenv vs boto3 (boto3_ms / devenv_ms)" n/a
fi
if [ "${state[boto3]}" = ok ] && [ "${state[limit]}" = ok ]; then
	r=$(awk -v b="${median_ms[boto3]}" -v l="${median_ms[limit]}" 'BEGIN { printf "%.2f", b / l }')
	printf '%-44s %7sx   (the ceiling for any client here)\n' "limit vs boto3 (boto3_ms / limit_ms)" "$r"
fi
if [ "${state[devenv]}" = ok ] && [ "${state[limit]}" = ok ]; then
	r=$(awk -v l="${median_ms[limit]}" -v d="${median_ms[devenv]}" 'BEGIN { printf "%.1f", l / d * 100 }')
	printf '%-44s %7s%%   goal >= 85%%   %s\n' "devenv as % of limit (limit_ms / devenv_ms)" "$r" "$(verdict "$r" 85)"
else
	printf '%-44s %8s   goal >= 85%%\n' "devenv as % of limit (limit_ms / devenv_ms)" n/a
fi
exit "$failed"
