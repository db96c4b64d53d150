#!/usr/bin/env bash
# Benchmark: seeding PostgreSQL from a 100k single-row-INSERT file and from its
# COPY twin, devenv against `psql -1 -v ON_ERROR_STOP=1 -f` and dbmate's `load`
# (a peer that sends a whole file as one message), on one throwaway server, in
# one run. Prints each tool's median of 3 and the ratios.
#
#   bench/pg_seed.sh [ROWS]      (default 100000)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rows=${1:-100000}

scripts/deps.sh
[ -x .deps/node_modules/.bin/dbmate ] || npm install --prefix .deps --no-audit --no-fund --silent dbmate >/dev/null
[ -f build/meson-private/coredata.dat ] || meson setup build --buildtype=debugoptimized >/dev/null
meson compile -C build >/dev/null

# shellcheck source=tests/harness/servers.sh
source tests/harness/servers.sh
trap 'harness_stop >/dev/null 2>&1; rm -rf "$work"' EXIT
work=$(mktemp -d)
harness_start >/dev/null

base=${DEVENV_TEST_PG_URL%/postgres}
url=$base/bench
psql -X -q "$base/postgres" -c "CREATE DATABASE bench"

cd "$work"
git init -q .
cat >schema.sql <<'SQL'
DROP TABLE IF EXISTS items;
CREATE TABLE items (id int PRIMARY KEY, handle text NOT NULL, note text NOT NULL, created_at timestamp NOT NULL);
SQL
/usr/bin/python3 - "$rows" <<'PY'
import sys
n = int(sys.argv[1])
with open("inserts.sql", "w") as f:
    for i in range(1, n + 1):
        f.write(f"INSERT INTO items (id, handle, note, created_at) VALUES ({i}, 'user{i}', 'note {i}; it''s fine', '2024-01-01 00:00:00');\n")
with open("copy.sql", "w") as f:
    f.write("COPY items (id, handle, note, created_at) FROM stdin;\n")
    for i in range(1, n + 1):
        f.write(f"{i}\tuser{i}\tnote {i}; it's fine\t2024-01-01 00:00:00\n")
    f.write("\\.\n")
PY

reset_table() { psql -X -q "$url" -f schema.sql 2>/dev/null; }
check_rows() {
	local got
	got=$(psql -X -A -t "$url" -c "SELECT count(*) FROM items")
	[ "$got" = "$rows" ] || { echo "bench: $1 loaded $got rows, not $rows" >&2; exit 1; }
}
# time_ms CMD...: wall milliseconds of one run
time_ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

export DATABASE_URL="$url?sslmode=disable"
dbmate=$root/.deps/node_modules/.bin/dbmate
declare -A result
for file in inserts.sql copy.sql; do
	cat >devenv.ini <<INI
[postgres]
url = $url
schema = schema.sql
seed = $file
INI
	tools="devenv psql dbmate"
	# dbmate sends a file as one query: COPY ... FROM stdin is not for it.
	[ "$file" = copy.sql ] && tools="devenv psql"
	for tool in $tools; do
		runs=()
		for _ in 1 2 3; do
			reset_table
			case $tool in
			# devenv: wait, create (exists), schema-load and seed, all timed.
			devenv) runs+=("$(time_ms "$root/build/devenv" -q run pg.seed)") ;;
			psql) runs+=("$(time_ms psql -X -q -1 -v ON_ERROR_STOP=1 -d "$url" -f "$file")") ;;
			dbmate) runs+=("$(time_ms "$dbmate" --no-dump-schema --schema-file "$file" load)") ;;
			esac
			check_rows "$tool $file"
		done
		result[$tool.$file]=$(median "${runs[@]}")
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-12s %10s %10s %10s   %s\n' "file ($rows rows)" devenv psql dbmate "psql/devenv  dbmate/devenv"
for file in inserts.sql copy.sql; do
	d=${result[devenv.$file]} p=${result[psql.$file]} m=${result[dbmate.$file]:-}
	printf '%-12s %8s ms %7s ms %7s %s   %10sx %12s\n' "$file" "$d" "$p" "${m:-n/a}" "${m:+ms}" \
		"$(ratio "$p" "$d")" "${m:+$(ratio "$m" "$d")x}"
done
