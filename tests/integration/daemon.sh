# up --daemon: returns with up's status, leaves one detached watcher (own
# session, no terminal, log and pid file in the state dir) that outlives its
# parent; a second up --daemon starts no second watcher; stop ends it.
# wait --ready returns only once the seed is in.
. "$(dirname "$0")/lib.sh"
need_servers

pg_repo devenv_it_daemon
cleanup_daemon() { "$DEVENV" -C "$T/r" stop >/dev/null 2>&1 || true; rm -rf "$T"; }
trap cleanup_daemon EXIT

# Run from a subshell that exits: the watcher must outlive it.
(dv up --daemon; echo "$rc" >"$T/rc")
[ "$(cat "$T/rc")" = 0 ] || fail "up --daemon returned $(cat "$T/rc")"
[ "$(q 'SELECT count(*) FROM t')" = 1 ] || fail "up --daemon did not bring the database up first"
pid=$(cat .devenv/devenv.pid)
kill -0 "$pid" || fail "no watcher alive"
[ "$(ps -o sid= -p "$pid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ] || fail "the watcher shares our session"
[ "$(ps -o tty= -p "$pid" | tr -d ' ')" = "?" ] || fail "the watcher has a terminal"
[ "$(ps -o sid= -p "$pid" | tr -d ' ')" != "$pid" ] || fail "the watcher is a session leader"
[ -f .devenv/devenv.log ] || fail "no log"

# A second up --daemon: the same watcher.
dv up --daemon
expect_rc 0
expect_err "already running (pid $pid)"
[ "$(cat .devenv/devenv.pid)" = "$pid" ] || fail "a second watcher"
[ "$(pgrep -f "devenv -C $T/r up --watch" | wc -l)" = 1 ] || fail "two watchers run"

# The watcher follows edits, with its output in the log.
echo "INSERT INTO t VALUES (2);" >>db/seed.sql
for _ in $(seq 100); do [ "$(q 'SELECT count(*) FROM t')" = 2 ] && break; sleep 0.05; done
[ "$(q 'SELECT count(*) FROM t')" = 2 ] || fail "the watcher did not follow the edit"
grep -q "pg.seed" .devenv/devenv.log || fail "nothing in the log"

# wait --ready: a slow seed (a large file) is in when it returns.
/usr/bin/python3 -c "
with open('db/seed.sql', 'w') as f:
    f.write(''.join(f'INSERT INTO t VALUES ({i});\n' for i in range(1, 60001)))"
sleep 0.15
dv wait --ready --timeout 60
expect_rc 0
[ "$(q 'SELECT count(*) FROM t')" = 60000 ] || fail "wait --ready returned before the seed was in ($(q 'SELECT count(*) FROM t') rows)"
dv status --json
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'j["ready"]')" = True ] || fail "status is not ready"
[ "$(json_get "$T/s.json" 'j["watcher"]')" = "$pid" ] || fail "status does not show the watcher"
[ "$(json_get "$T/s.json" 'j["postgres"]["tables"]["public.t"]')" = 60000 ] || fail "status counts"
[ "$(json_get "$T/s.json" 'j["postgres"]["last_run"]["result"]')" = ok ] || fail "status last run"

# A failing up still returns its status, and the watcher still runs.
dv stop
expect_rc 0
kill -0 "$pid" 2>/dev/null && fail "stop left the watcher running"
echo "INSERT INTO t VALUES ('x');" >db/seed.sql
dv up --daemon
expect_rc 65
expect_err "db/seed.sql:1:"
kill -0 "$(cat .devenv/devenv.pid)" || fail "no watcher after a failing up"
dv stop
echo ok
