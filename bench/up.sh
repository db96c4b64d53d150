#!/usr/bin/env bash
# Benchmark: devenv against the Cruddur-style scripts it replaces (bench/baseline/bin/*), on the
# example project (devenv.ini, db/, ddb/) copied into a throwaway git repository, against one
# throwaway PostgreSQL and dynalite, in one run:
#
#   a  baseline `bin/reset` (bash + psql + python/boto3), median of 3, data checked after each
#   b  `devenv reset`, median of 3, data checked after each, and a / b      (goal >= 8x)
#   c  `devenv up` with nothing changed, median of 15 after a warm-up, and a / c
#                                                                 (goals <= 50 ms, >= 20x)
#   d  watch mode: save-to-done latency of `devenv up --watch` over 10 appends of a SQL comment
#      to db/seed.sql, from just before the write to the run's `pg   cruddur   reset...` line
#      in the watcher's output; p50 and p90                       (goal p50 <= 150 ms)
#   e  readiness: a second dynalite started 1 to 2 s (at random) after the waiter; the time from
#      its port accepting (a tight connect loop) to the waiter's exit, `devenv wait ddb` against
#      `wait-for-it`, 5 trials each, medians                      (goal devenv <= 25 ms)
#   f  the idle watcher: CPU ticks (utime + stime) and context switches over 10 s, 1 s after its
#      first run, and its VmRSS (and RssAnon, the part no other process shares)
#                                                                 (goals 0 ticks, <= 8 MiB)
#
# Every time is wall time of whole processes, taken with bash's EPOCHREALTIME. A row whose devenv
# feature is not built yet (or a build that fails) says so and the rest still run. Exits 1 when a
# tool that ran failed or left wrong data; a missed goal only shows in the table.
#
#   bench/up.sh            DEVENV=PATH bench/up.sh  (time that binary instead of building build/)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

scripts/deps.sh
if ! command -v wait-for-it >/dev/null 2>&1; then
	echo "bench: installing wait-for-it (apt)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wait-for-it >/dev/null 2>&1 ||
		{ as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
			as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wait-for-it >/dev/null; }
fi

work=$(mktemp -d)
watcher_pid=
local_ddb=
# shellcheck source=tests/harness/servers.sh
source tests/harness/servers.sh
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$watcher_pid" ]; then
		kill -9 "$watcher_pid" 2>/dev/null || true
		wait "$watcher_pid" 2>/dev/null || true
	fi
	[ -n "$local_ddb" ] && kill "$local_ddb" 2>/dev/null
	harness_stop >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# devenv: a build that fails (someone half-way through an edit) costs only the devenv rows.
devenv_state=ok
if [ -n "${DEVENV:-}" ]; then
	devenv=$(cd "$(dirname "$DEVENV")" && pwd)/$(basename "$DEVENV")
	[ -x "$devenv" ] || devenv_state="not found: $DEVENV"
else
	devenv=$root/build/devenv
	if ! { [ -f build/meson-private/coredata.dat ] || meson setup build --buildtype=debugoptimized; } >"$work/build.log" 2>&1 ||
		! meson compile -C build >>"$work/build.log" 2>&1; then
		tail -n 20 "$work/build.log" >&2
		echo "bench: the devenv build failed; the devenv rows are skipped" >&2
		devenv_state="build failed"
	fi
fi

harness_start >/dev/null

# The environment a Cruddur developer's dev container has. The dummy AWS credentials must not be
# a substring of any table name: devenv masks their values wherever they appear.
export CONNECTION_URL=${DEVENV_TEST_PG_URL%/postgres}/cruddur
# The dev container runs DynamoDB Local, which creates and deletes tables at once; dynalite by
# default holds them in CREATING and DELETING for 500 ms each, as AWS does, which would make both
# tools' resets mostly sleep. The baseline and devenv both talk to a dynalite that behaves like
# DynamoDB Local.
ddb_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$DEVENV_TEST_DYNALITE" --port "$ddb_port" --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 \
	>"$work/dynalite-local.log" 2>&1 &
local_ddb=$!
for _ in $(seq 200); do
	curl -s -o /dev/null "http://127.0.0.1:$ddb_port" && break
	sleep 0.05
done
export AWS_ENDPOINT_URL=http://127.0.0.1:$ddb_port
export AWS_ACCESS_KEY_ID=AKIDDUMMYKEYID AWS_SECRET_ACCESS_KEY=dummysecretaccesskey AWS_DEFAULT_REGION=ca-central-1
export NO_COLOR=1
unset PROD_CONNECTION_URL AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL_DYNAMODB DEVENV_ENV DEVENV_PLUGIN_PATH

# The project: the example at the repository root, with the baseline scripts as its bin/.
proj=$work/cruddur
mkdir "$proj"
cp -R devenv.ini .gitignore db ddb "$proj"/
cp -R bench/baseline/bin "$proj"/bin
git -C "$proj" init -q .
cd "$proj"
users_want=3
items_want=$(($(grep -c . ddb/conversation.txt) + 2)) # one item per line, two group items

# now_us: the wall clock in microseconds, without a fork.
now_us() { echo "${EPOCHREALTIME/./}"; }
# ms_of US: microseconds as milliseconds with one decimal.
ms_of() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
# pct P VALUE...: the P-th percentile, nearest rank.
pct() {
	local p=$1
	shift
	printf '%s\n' "$@" | sort -g | sed -n "$(((p * $# + 99) / 100))p"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

# check_data WHAT: the databases hold the example data (users, the conversation's items).
check_data() {
	local users items
	users=$(psql -X -At "$CONNECTION_URL" -c "SELECT count(*) FROM public.users" 2>&1) || users="error: $users"
	items=$(/usr/bin/python3 - <<'PY' 2>&1
import os
import boto3
ddb = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
n = 0
for page in ddb.get_paginator("scan").paginate(TableName="cruddur-messages", Select="COUNT"):
    n += page["Count"]
print(n)
PY
	) || items="error: $(tail -n 1 <<<"$items")"
	if [ "$users" != "$users_want" ] || [ "$items" != "$items_want" ]; then
		echo "bench: after $1: $users users (want $users_want), $items items (want $items_want)" >&2
		return 1
	fi
}

# run_timed LOG CMD...: run CMD with its output in LOG; us = its wall microseconds.
run_timed() {
	local log=$1 t0 t1 rc=0
	shift
	t0=$(now_us)
	"$@" >"$log" 2>&1 || rc=$?
	t1=$(now_us)
	us=$((t1 - t0))
	return "$rc"
}

declare -A fig state
for row in baseline reset up watch wait waitforit idle; do state[$row]=ok; done
if [ "$devenv_state" != ok ]; then
	for row in reset up watch wait idle; do state[$row]=$devenv_state; done
fi
failed=0
notes=()
# fail ROW WHY LOG: a tool that ran failed.
fail() {
	echo "bench: $2" >&2
	[ -z "${3:-}" ] || tail -n 15 "$3" >&2
	state[$1]="FAILED"
	failed=1
}

# a, b: the baseline and devenv reset take turns, so that neither gets all the cold runs.
base_runs=() reset_runs=()
for run in 1 2 3; do
	if [ "${state[baseline]}" = ok ]; then
		if run_timed "$work/baseline.$run.log" bin/reset && check_data "baseline bin/reset run $run"; then
			base_runs+=("$us")
		else
			fail baseline "baseline bin/reset run $run failed" "$work/baseline.$run.log"
		fi
	fi
	if [ "${state[reset]}" = ok ]; then
		if run_timed "$work/reset.$run.log" "$devenv" reset && check_data "devenv reset run $run"; then
			reset_runs+=("$us")
		else
			fail reset "devenv reset run $run failed" "$work/reset.$run.log"
		fi
	fi
done
[ "${state[baseline]}" != ok ] || fig[baseline]=$(median "${base_runs[@]}")
[ "${state[reset]}" != ok ] || fig[reset]=$(median "${reset_runs[@]}")

# c: up with nothing changed. Every timed run must find both databases up to date.
if [ "${state[up]}" = ok ]; then
	up_runs=()
	if ! run_timed "$work/up.warm.log" "$devenv" up; then
		fail up "the warm-up devenv up failed" "$work/up.warm.log"
	else
		for run in $(seq 15); do
			if ! run_timed "$work/up.$run.log" "$devenv" up; then
				fail up "devenv up run $run failed" "$work/up.$run.log"
				break
			fi
			if [ "$(grep -Ec '^(pg|ddb) +.* up to date$' "$work/up.$run.log")" != 2 ]; then
				fail up "devenv up run $run did not find both databases up to date" "$work/up.$run.log"
				break
			fi
			up_runs+=("$us")
		done
	fi
	[ "${state[up]}" != ok ] || fig[up]=$(median "${up_runs[@]}")
fi

# watcher_start ROW LOG: start `devenv up --watch` here with its output in LOG, its pid in
# watcher_pid, and wait for its first run's summary. Returns 1 with state[ROW] set when it exits
# (a usage error, 64: not built yet) or reports no run within 60 s.
watcher_start() {
	local row=$1 log=$2 i rc
	: >"$log" # before the background job opens it: the loop below reads it at once
	"$devenv" up --watch >>"$log" 2>&1 &
	watcher_pid=$!
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$watcher_pid" 2>/dev/null; then
			rc=0
			wait "$watcher_pid" || rc=$?
			watcher_pid=
			if [ "$rc" = 64 ]; then
				state[$row]="not built"
			else
				fail "$row" "devenv up --watch exited $rc" "$log"
			fi
			return 1
		fi
		grep -Eq '^pg +cruddur ' "$log" && return 0
		sleep 0.1
	done
	fail "$row" "devenv up --watch reported no run in 60 s" "$log"
	watcher_stop "$row" || true
	return 1
}
# watcher_stop ROW: SIGTERM, then wait up to 10 s for it to finish (0 or 143 is clean).
watcher_stop() {
	local row=$1 i rc=0
	kill -TERM "$watcher_pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$watcher_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$watcher_pid" 2>/dev/null; then
		kill -9 "$watcher_pid" 2>/dev/null || true
		wait "$watcher_pid" 2>/dev/null || true
		watcher_pid=
		fail "$row" "devenv up --watch did not finish within 10 s of SIGTERM"
		return 1
	fi
	wait "$watcher_pid" || rc=$?
	watcher_pid=
	case $rc in 0 | 143) ;; *) fail "$row" "devenv up --watch exited $rc on SIGTERM" ;; esac
}

# d: save-to-done in watch mode.
if [ "${state[watch]}" = ok ] && watcher_start watch "$work/watch.log"; then
	sleep 0.5
	# One line of milliseconds per save; the time is taken just before the write and the run is
	# done when the watcher prints the database's summary line.
	if lat=$(/usr/bin/python3 - "$work/watch.log" db/seed.sql 10 <<'PY'
import re, sys, time
log_path, seed_path, trials = sys.argv[1], sys.argv[2], int(sys.argv[3])
summary = re.compile(rb"^pg\s+cruddur\s+(.*)$")
log = open(log_path, "rb")
log.seek(0, 2)
pending = b""
for i in range(trials):
    t0 = time.time()
    with open(seed_path, "a") as f:
        f.write(f"-- bench: save {i + 1} at {t0:.6f}\n")
    why = None
    while why is None:
        chunk = log.read()
        if chunk:
            now = time.time()
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                m = summary.match(line)
                if m:
                    why = m.group(1).decode(errors="replace")
                    break
        elif time.time() - t0 > 30:
            sys.exit(f"save {i + 1}: no run reported within 30 s")
        else:
            time.sleep(0.0005)
    if "reset" not in why:
        sys.exit(f"save {i + 1}: the watcher reported '{why}', not a reset")
    print(f"{(now - t0) * 1e6:.0f}")
    time.sleep(0.4)  # let the watcher go idle before the next save
PY
	); then
		mapfile -t watch_runs <<<"$lat"
		fig[watch]=$(pct 50 "${watch_runs[@]}")
		fig[watch90]=$(pct 90 "${watch_runs[@]}")
	else
		fail watch "watch-mode latency: ${lat:-the helper failed}" "$work/watch.log"
	fi
	if [ -n "$watcher_pid" ]; then watcher_stop watch || true; fi
	# Wrong data after the runs does not void their latency: it is a finding of its own.
	if ! check_data "the watcher's runs"; then
		notes+=("d: after the watcher's runs the databases did not hold the example data (see above)")
		failed=1
	fi
fi

# e: readiness noticed. Each trial: the waiter starts at T0, a fresh dynalite on a free port at
# T0 + 1 to 2 s (at random, so that no waiter's polling phase is favoured); latency = the waiter's
# exit - the first accepted connect (a connect loop every 0.2 ms).
ready=$work/ready
mkdir "$ready"
git -C "$ready" init -q .
# trial MODE: one trial's latency in microseconds on stdout.
trial() {
	local mode=$1 port
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$ready/devenv.ini" <<INI
[devenv]
state_dir = .devenv
[dynamodb]
endpoint = http://127.0.0.1:$port
region = ca-central-1
start = never
INI
	local cmd=("$devenv" -C "$ready" wait ddb --timeout 10)
	[ "$mode" = devenv ] || cmd=(wait-for-it -q -t 10 "127.0.0.1:$port")
	/usr/bin/python3 - "$port" "$DEVENV_TEST_DYNALITE" "${cmd[@]}" <<'PY'
import random, socket, subprocess, sys, threading, time
port, dynalite, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
done = {}
def reap(p):
    rc = p.wait()
    done["t"], done["rc"] = time.time(), rc
waiter = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
reaper = threading.Thread(target=reap, args=(waiter,))
reaper.start()
time.sleep(1.0 + random.random())
server = subprocess.Popen([dynalite, "--port", str(port)], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
deadline = time.time() + 20
try:
    while True:
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            accepted = time.time()
            break
        except OSError:
            if time.time() > deadline:
                sys.exit("dynalite did not accept within 20 s")
            time.sleep(0.0002)
        finally:
            s.close()
    reaper.join(15)
    if "rc" not in done:
        waiter.kill()
        sys.exit("the waiter did not return within 15 s of the port accepting")
    if done["rc"] != 0:
        sys.exit(f"the waiter exited {done['rc']}: {waiter.stderr.read().decode(errors='replace').strip()}")
    print(f"{(done['t'] - accepted) * 1e6:.0f}")
finally:
    server.terminate()
    server.wait()
PY
}
for row in wait waitforit; do
	[ "${state[$row]}" = ok ] || continue
	mode=devenv
	[ "$row" = wait ] || mode=wait-for-it
	runs=()
	for run in 1 2 3 4 5; do
		if ! t=$(trial "$mode" 2>"$work/$row.$run.err"); then
			if [ "$mode" = devenv ] && grep -q 'exited 64' "$work/$row.$run.err"; then
				state[$row]="not built"
			else
				fail "$row" "$mode trial $run failed" "$work/$row.$run.err"
			fi
			break
		fi
		runs+=("$t")
	done
	[ "${state[$row]}" != ok ] || fig[$row]=$(median "${runs[@]}")
	[ "${state[$row]}" != ok ] || fig[$row.runs]=${runs[*]}
done

# f: the idle watcher.
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }
if [ "${state[idle]}" = ok ] && watcher_start idle "$work/idle.log"; then
	sleep 1
	t0=$(ticks "$watcher_pid") s0=$(switches "$watcher_pid")
	sleep 10
	t1=$(ticks "$watcher_pid") s1=$(switches "$watcher_pid")
	fig[idle]=$((t1 - t0))
	fig[idle.switches]=$((s1 - s0))
	fig[idle.rss]=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$watcher_pid/status")
	fig[idle.anon]=$(awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$watcher_pid/status")
	watcher_stop idle || true
fi

# The table.
echo
printf 'devenv vs the Cruddur scripts: %s users, %s items; %s CPUs, load average %s\n' \
	"$users_want" "$items_want" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-46s %14s  %-12s %s\n' measure figure goal verdict
# row LABEL STATE FIGURE GOAL VERDICT
row() {
	if [ "$2" = ok ]; then
		printf '%-46s %14s  %-12s %s\n' "$1" "$3" "$4" "$5"
	else
		printf '%-46s %14s  %-12s %s\n' "$1" "$2" "$4" ""
	fi
}
# verdict VALUE OP GOAL: MET or MISSED (OP is le or ge)
verdict() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN { m = op == "le" ? v <= g : v >= g; print m ? "MET" : "MISSED" }'; }
b=${fig[baseline]:-} r=${fig[reset]:-} u=${fig[up]:-}
row "a  baseline bin/reset (median of 3)" "${state[baseline]}" "$(ms_of "${b:-0}") ms" "-" "(reference)"
row "b  devenv reset (median of 3)" "${state[reset]}" "$(ms_of "${r:-0}") ms" "-" ""
if [ -n "$b" ] && [ -n "$r" ]; then
	x=$(ratio "$b" "$r")
	row "   baseline / devenv reset" ok "${x}x" ">= 8x" "$(verdict "$x" ge 8)"
else
	row "   baseline / devenv reset" "n/a" "" ">= 8x" ""
fi
row "c  devenv up, nothing changed (median of 15)" "${state[up]}" "$(ms_of "${u:-0}") ms" "<= 50 ms" \
	"$(verdict "$(ms_of "${u:-0}")" le 50)"
if [ -n "$b" ] && [ -n "$u" ]; then
	x=$(ratio "$b" "$u")
	row "   baseline / devenv up" ok "${x}x" ">= 20x" "$(verdict "$x" ge 20)"
else
	row "   baseline / devenv up" "n/a" "" ">= 20x" ""
fi
w=${fig[watch]:-0}
row "d  watch: save to done, p50 of 10" "${state[watch]}" "$(ms_of "$w") ms" "<= 150 ms" "$(verdict "$(ms_of "$w")" le 150)"
row "   watch: save to done, p90 of 10" "${state[watch]}" "$(ms_of "${fig[watch90]:-0}") ms" "-" ""
w=${fig[wait]:-0}
row "e  devenv wait ddb: ready noticed (median of 5)" "${state[wait]}" "$(ms_of "$w") ms" "<= 25 ms" "$(verdict "$(ms_of "$w")" le 25)"
row "   wait-for-it: port noticed (median of 5)" "${state[waitforit]}" "$(ms_of "${fig[waitforit]:-0}") ms" "-" "(reference)"
row "f  idle watcher: CPU ticks in 10 s" "${state[idle]}" "${fig[idle]:-0}" "0" "$(verdict "${fig[idle]:-0}" le 0)"
row "   idle watcher: context switches in 10 s" "${state[idle]}" "${fig[idle.switches]:-0}" "0" \
	"$(verdict "${fig[idle.switches]:-0}" le 0)"
row "   idle watcher: VmRSS" "${state[idle]}" "${fig[idle.rss]:-0} MiB" "<= 8 MiB" "$(verdict "${fig[idle.rss]:-0}" le 8)"
row "   idle watcher: of which RssAnon (not shared)" "${state[idle]}" "${fig[idle.anon]:-0} MiB" "-" ""
for note in ${notes[@]+"${notes[@]}"}; do echo "note: $note"; done
echo
runs_ms() { local v out=; for v in "$@"; do out+="${out:+ }$(ms_of "$v")"; done; echo "$out"; }
[ "${#base_runs[@]}" -eq 0 ] || echo "runs (ms): baseline reset: $(runs_ms "${base_runs[@]}")"
[ "${#reset_runs[@]}" -eq 0 ] || echo "runs (ms): devenv reset:   $(runs_ms "${reset_runs[@]}")"
[ -z "${fig[up]:-}" ] || echo "runs (ms): devenv up:      $(runs_ms "${up_runs[@]}")"
[ -z "${fig[watch]:-}" ] || echo "runs (ms): watch:          $(runs_ms "${watch_runs[@]}")"
# shellcheck disable=SC2086 # space-separated numbers
[ -z "${fig[wait.runs]:-}" ] || echo "runs (ms): devenv wait:    $(runs_ms ${fig[wait.runs]})"
# shellcheck disable=SC2086
[ -z "${fig[waitforit.runs]:-}" ] || echo "runs (ms): wait-for-it:    $(runs_ms ${fig[waitforit.runs]})"
exit "$failed"
