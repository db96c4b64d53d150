# Watch mode against the suite's servers: an in-place write, a rename-save, a
# burst of 50 writes (one or two runs), a failing edit then a fixing one (the
# watcher survives), SIGHUP and a devenv.ini edit (re-read), SIGTERM (a
# clean exit).
. "$(dirname "$0")/lib.sh"
need_servers

pg_repo devenv_it_watch

"$DEVENV" up --watch >"$T/w.log" 2>&1 &
watcher=$!
stop_watcher() { kill "$watcher" 2>/dev/null || true; rm -rf "$T"; }
trap stop_watcher EXIT
runs() { grep -c "^pg   " "$T/w.log" || true; }
# wait_runs N: until the log shows N runs (10 s at most).
wait_runs() {
	for _ in $(seq 200); do
		[ "$(runs)" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "expected $1 runs, saw $(runs):
$(cat "$T/w.log")"
}
wait_runs 1
for _ in $(seq 100); do grep -q "watching for changes" "$T/w.log" && break; sleep 0.05; done
[ "$(q 'SELECT count(*) FROM t')" = 1 ] || fail "first run"

# An in-place write.
echo "INSERT INTO t VALUES (2);" >>db/seed.sql
wait_runs 2
[ "$(q 'SELECT count(*) FROM t')" = 2 ] || fail "in-place write not applied"

# A rename-save, as editors do.
printf 'INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (3);\n' >db/.seed.sql.swp
mv db/.seed.sql.swp db/seed.sql
wait_runs 3
[ "$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM t")" = "1,3" ] || fail "rename-save not applied"

# A burst of 50 writes: one or two runs, not 50.
before=$(runs)
for i in $(seq 100 149); do echo "INSERT INTO t VALUES ($i);" >>db/seed.sql; done
wait_runs $((before + 1))
sleep 1
after=$(runs)
[ $((after - before)) -le 2 ] || fail "a burst of 50 writes made $((after - before)) runs"
[ "$(q 'SELECT count(*) FROM t')" = 52 ] || fail "the burst's last state is not loaded"

# A failing edit: reported, the watcher lives; a fixing edit recovers.
before=$(runs)
echo "INSERT INTO t VALUES ('not a number');" >>db/seed.sql
wait_runs $((before + 1))
grep -q "db/seed.sql:53:" "$T/w.log" || fail "the failure was not reported: $(tail -5 "$T/w.log")"
kill -0 "$watcher" || fail "the watcher died on a failing run"
sed -i '$d' db/seed.sql
echo "INSERT INTO t VALUES (200);" >>db/seed.sql
wait_runs $((before + 2))
[ "$(q 'SELECT count(*) FROM t')" = 53 ] || fail "the fixing edit was not applied"

# SIGHUP re-reads devenv.ini; so does an edit of it.
kill -HUP "$watcher"
for _ in $(seq 100); do grep -q "re-read the configuration" "$T/w.log" && break; sleep 0.05; done
grep -q "re-read the configuration" "$T/w.log" || fail "SIGHUP"
echo "INSERT INTO t VALUES (300);" >db/other.sql
sed -i 's|^seed = .*|seed = db/seed.sql db/other.sql|' devenv.ini
for _ in $(seq 100); do [ "$(q 'SELECT count(*) FROM t WHERE id = 300')" = 1 ] && break; sleep 0.05; done
[ "$(q 'SELECT count(*) FROM t WHERE id = 300')" = 1 ] || fail "a devenv.ini edit was not followed"
# The new file is watched too.
before=$(runs)
echo "INSERT INTO t VALUES (301);" >>db/other.sql
wait_runs $((before + 1))
# A file nobody named changes nothing.
before=$(runs)
echo "x" >db/unrelated.txt
sleep 0.5
[ "$(runs)" = "$before" ] || fail "an unrelated file triggered a run"

# SIGTERM: a clean exit, the pid file gone.
[ -s .devenv/devenv.pid ] || fail "no pid file"
kill -TERM "$watcher"
wait_rc "$watcher"
[ "$rc" = 0 ] || fail "the watcher exited $rc on SIGTERM"
[ ! -e .devenv/devenv.pid ] || fail "the pid file stayed"
echo ok
