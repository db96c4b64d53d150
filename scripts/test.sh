#!/usr/bin/env bash
# Build devenv twice (plain and ASan+UBSan) and run the whole test suite against throwaway
# PostgreSQL and dynalite servers; then the unit tests of the threaded modules under
# ThreadSanitizer, and each fuzz target for a few seconds.
#
#   scripts/test.sh [MESON TEST ARGS...]     e.g. scripts/test.sh integration_
#
# Extra arguments go to both `meson test` runs; a test name may be a prefix or a glob.
# The last line printed is the summary, `N passed, N failed` (`, N skipped` when some were
# skipped). Exits 0 only when tests ran, none failed and both `meson test` runs succeeded.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/deps.sh

# setup_build DIR MESON-OPTIONS...: configure DIR (reconfigure when it already is a meson build dir).
setup_build() {
    local dir=$1
    shift
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        meson setup --reconfigure "$dir" "$@"
    else
        meson setup "$dir" "$@"
    fi
}

setup_build build --buildtype=debugoptimized
meson compile -C build
setup_build build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C build-asan

# shellcheck source=tests/harness/servers.sh
source tests/harness/servers.sh
trap 'harness_stop >/dev/null 2>&1' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
harness_start

# expand_args DIR ARGS...: fill test_args with ARGS, where a test name that names no test of DIR
# exactly is taken as a pattern: a glob when it has * ? or [, else a name prefix (so
# `scripts/test.sh integration_` runs every integration_* test; meson itself matches exact names).
# Options, and the values of options that take one, pass through untouched.
expand_args() {
    local dir=$1 arg name matched
    shift
    test_args=()
    local names=()
    mapfile -t names < <(meson test -C "$dir" --no-rebuild --list 2>/dev/null | sed 's/^[^ :]*://') || true
    while [ "$#" -gt 0 ]; do
        arg=$1
        shift
        case "$arg" in
            --repeat | --wrapper | --suite | --no-suite | --gdb-path | --num-processes | -j | --setup | \
            --test-args | --timeout-multiplier | -t | --logbase | --max-lines | -C)
                test_args+=("$arg")
                if [ "$#" -gt 0 ]; then test_args+=("$1"); shift; fi
                continue ;;
            -*) test_args+=("$arg"); continue ;;
            *:*) test_args+=("$arg"); continue ;;
        esac
        matched=()
        for name in "${names[@]}"; do
            if [ "$name" = "$arg" ]; then matched=("$arg"); break; fi
        done
        if [ "${#matched[@]}" -eq 0 ]; then
            local pattern="$arg*"
            case "$arg" in *[*?[]*) pattern=$arg ;; esac
            for name in "${names[@]}"; do
                # shellcheck disable=SC2053 # pattern is meant as a glob
                if [[ $name == $pattern ]]; then matched+=("$name"); fi
            done
        fi
        if [ "${#matched[@]}" -eq 0 ]; then matched=("$arg"); fi # let meson report it
        test_args+=("${matched[@]}")
    done
}

# A run that dies before writing its log must not be judged by a previous run's log.
rm -f build/meson-logs/testlog.json build-asan/meson-logs/testlog.json

test_args=()
status_plain=0
expand_args build "$@"
meson test -C build --print-errorlogs "${test_args[@]}" || status_plain=$?

status_asan=0
expand_args build-asan "$@"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C build-asan --print-errorlogs "${test_args[@]}" || status_asan=$?

harness_stop >/dev/null 2>&1

# The modules that run threads (the pipeline's chains, the seed reader's
# parts) once more under ThreadSanitizer; their unit tests need no servers.
rm -f build-tsan/meson-logs/testlog.json
status_tsan=0 tsan_build_failed=0
if [ "$#" -eq 0 ] && command -v clang >/dev/null 2>&1; then
    tsan_tests=(unit_pipeline unit_ddb_seed)
    if CC=clang setup_build build-tsan --buildtype=debug -Db_sanitize=thread -Db_lundef=false &&
        meson compile -C build-tsan "${tsan_tests[@]/#unit_/tests/test_}"; then
        TSAN_OPTIONS=halt_on_error=1 \
            meson test -C build-tsan --no-rebuild --print-errorlogs "${tsan_tests[@]}" || status_tsan=$?
    else
        status_tsan=$?
        tsan_build_failed=1
        echo "test: the ThreadSanitizer build failed" >&2
    fi
fi

# The fuzzers, briefly (scripts/fuzz.sh 600 runs them long): each target is one
# more test in the count. Only for a whole-suite run, and only where clang is.
fuzz_passed=0 fuzz_failed=0
if [ "$#" -eq 0 ] && command -v clang >/dev/null 2>&1; then
    fuzz_out=$(scripts/fuzz.sh "${DEVENV_FUZZ_SECONDS:-5}" 2>&1) || true
    printf '%s\n' "$fuzz_out"
    fuzz_passed=$(printf '%s\n' "$fuzz_out" | grep -cE '^(config|sql|seed|conversation) .* ok$' || true)
    fuzz_failed=$((4 - fuzz_passed))
fi

# Count results over both runs' testlog.json (one JSON object per line, "result" field).
logs=()
for f in build/meson-logs/testlog.json build-asan/meson-logs/testlog.json build-tsan/meson-logs/testlog.json; do
    [ -f "$f" ] && logs+=("$f")
done
passed=0 failed=0 skipped=0
if [ "${#logs[@]}" -gt 0 ]; then
    if command -v jq >/dev/null 2>&1; then
        counts=$(jq -r '.result // empty' "${logs[@]}" | awk '
            $0 == "OK" || $0 == "EXPECTEDFAIL" { p++ }
            $0 == "FAIL" || $0 == "TIMEOUT" || $0 == "ERROR" || $0 == "UNEXPECTEDPASS" { f++ }
            $0 == "SKIP" { s++ }
            END { printf "%d %d %d\n", p, f, s }')
    else
        counts=$(/usr/bin/python3 - "${logs[@]}" <<'EOF'
import json, sys
p = f = s = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line).get("result")
            except ValueError:
                continue
            if r in ("OK", "EXPECTEDFAIL"):
                p += 1
            elif r in ("FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"):
                f += 1
            elif r == "SKIP":
                s += 1
print(p, f, s)
EOF
)
    fi
    read -r passed failed skipped <<<"$counts"
fi
passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))

if [ "$status_plain" -ne 0 ]; then echo "meson test -C build exited with status $status_plain"; fi
if [ "$status_asan" -ne 0 ]; then echo "meson test -C build-asan exited with status $status_asan"; fi
if [ "$status_tsan" -ne 0 ]; then echo "the ThreadSanitizer run exited with status $status_tsan"; fi

failed=$((failed + tsan_build_failed))
ran=$((passed + failed + skipped))
if [ "$ran" -eq 0 ]; then echo "no tests ran"; fi

summary="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then summary="$summary, $skipped skipped"; fi
echo "$summary"

if [ "$ran" -gt 0 ] && [ "$failed" -eq 0 ] && [ "$status_plain" -eq 0 ] && [ "$status_asan" -eq 0 ] &&
    [ "$status_tsan" -eq 0 ]; then
    exit 0
fi
exit 1
