#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]: runs devenv's libFuzzer
# targets (tests/fuzz/fuzz_*.c), each for SECONDS_PER_TARGET seconds (default
# 5) on a temporary copy of its seed corpus (tests/fuzz/corpus/TARGET), with
# its dictionary (tests/fuzz/TARGET.dict), so the repository is not written.
# TARGET: config, sql, seed, conversation (default: all four).
#
# Configures build-fuzz with clang when it is missing (-Dfuzz=true
# -Db_lundef=false -Dwerror=false), builds the targets, and prints per
# target the executions, exec/s and new corpus units from libFuzzer's final
# stats. Exits 1 when a target crashed (a sanitizer report, a trap, a leak,
# a timeout, an out-of-memory); the temp dir is then kept and the crash
# file's path printed. Reproduce: build-fuzz/tests/fuzz/fuzz_TARGET FILE
# (the known ones: tests/fuzz/crashes/TARGET-*).
#
# Long runs: scripts/fuzz.sh 600
set -euo pipefail

cd "$(dirname "$0")/.."

secs=${1:-5}
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -eq 0 ]; then
	echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [config|sql|seed|conversation]..." >&2
	exit 64
fi
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config sql seed conversation)
for t in "${targets[@]}"; do
	if [ ! -f "tests/fuzz/fuzz_$t.c" ]; then
		echo "fuzz.sh: no target '$t' (tests/fuzz/fuzz_$t.c)" >&2
		exit 64
	fi
done

build=build-fuzz
command -v clang >/dev/null || { echo "fuzz.sh: clang is needed" >&2; exit 69; }
if [ ! -f "$build/build.ninja" ]; then
	# werror off: clang warns where gcc does not, and a warning in code
	# the fuzzers do not test should not stop them.
	CC=clang meson setup "$build" -Dfuzz=true -Db_lundef=false -Dwerror=false >/dev/null
fi
if ! grep -A1 '^rule c_COMPILER$' "$build/build.ninja" | grep -q 'command = [^ ]*clang'; then
	echo "fuzz.sh: $build is configured with another compiler than clang; remove it and rerun" >&2
	exit 69
fi
if ! meson introspect --buildoptions "$build" | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
sys.exit(0 if o.get("fuzz") is True and o.get("werror") is False else 1)'; then
	meson configure "$build" -Dfuzz=true -Dwerror=false >/dev/null
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/devenv-fuzz.XXXXXX")
keep=0
cleanup() { [ "$keep" = 1 ] || rm -rf "$tmp"; }
trap cleanup EXIT

if ! meson compile -C "$build" "${targets[@]/#/fuzz_}" >"$tmp/build.log" 2>&1; then
	tail -n 30 "$tmp/build.log" >&2
	echo "fuzz.sh: building the fuzz targets failed" >&2
	exit 1
fi

stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

failed=0
printf '%-14s %12s %10s %8s  %s\n' target execs exec/s new result
for t in "${targets[@]}"; do
	corpus=$tmp/corpus/$t art=$tmp/artifacts/$t log=$tmp/$t.log
	mkdir -p "$corpus" "$art"
	cp -R "tests/fuzz/corpus/$t/." "$corpus/"
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
	rc=0
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/" ${dict[@]+"${dict[@]}"} \
		"$corpus" >"$log" 2>&1 || rc=$?
	execs=$(stat number_of_executed_units "$log")
	rate=$(stat average_exec_per_sec "$log")
	new=$(stat new_units_added "$log")
	result=ok
	if [ "$rc" -ne 0 ]; then
		failed=1 keep=1
		result="CRASHED (exit $rc)"
	fi
	printf '%-14s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${new:-?}" "$result"
	if [ "$rc" -ne 0 ]; then
		grep -m 3 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | sed 's/^/    /' || true
		# The first frame in devenv's code or the fuzz target.
		grep -E '^ +#[0-9]+ 0x[0-9a-f]+ in [^ ]+ [^ ]*\.c:[0-9]+' "$log" | head -n 1 |
			sed -E 's/^ +#[0-9]+ 0x[0-9a-f]+ in /    at: /' || true
		for f in "$art"/*; do
			[ -e "$f" ] && echo "    crash file: $f"
		done
		echo "    log: $log"
	fi
done
if [ "$failed" -ne 0 ]; then
	echo "fuzz.sh: a target crashed; minimise with: $build/tests/fuzz/fuzz_TARGET -minimize_crash=1 -runs=10000 FILE" >&2
	exit 1
fi
