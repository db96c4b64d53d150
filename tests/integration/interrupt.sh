# SIGTERM in the middle of a seed: exit 143, the seed rolled back (no half
# state), the chain's fingerprint void so the next up redoes it.
. "$(dirname "$0")/lib.sh"
need_servers

pg_repo devenv_it_interrupt
/usr/bin/python3 -c "
with open('db/seed.sql', 'w') as f:
    f.write(''.join(f'INSERT INTO t VALUES ({i});\n' for i in range(1, 300001)))"

"$DEVENV" up >"$T/up.log" 2>&1 &
up=$!
# Wait until the seed is under way, then stop it.
for _ in $(seq 200); do grep -q "pg.schema-load" "$T/up.log" && break; sleep 0.02; done
sleep 0.3
kill -TERM $up
wait_rc $up
[ "$rc" = 143 ] || fail "exit $rc after SIGTERM, not 143: $(cat "$T/up.log")"
[ "$(q 'SELECT count(*) FROM t')" = 0 ] || fail "a half seed stayed: $(q 'SELECT count(*) FROM t') rows"
dv status --json
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'j["ready"]')" = False ] || fail "ready after an interrupted seed"
dv up
expect_rc 0
expect_out "pg.seed"
[ "$(q 'SELECT count(*) FROM t')" = 300000 ] || fail "the next up did not redo the chain"
dv up
expect_out "up to date"

# SIGINT during a long statement: the server is asked to cancel it, the file
# is rolled back, devenv exits 130 at once.
printf "INSERT INTO t VALUES (0);\nSELECT pg_sleep(30);\nINSERT INTO t VALUES (-1);\n" >db/slow.sql
sed -i 's|^seed = .*|seed = db/slow.sql|' devenv.ini
"$DEVENV" run pg.seed >"$T/slow.log" 2>&1 &
slow=$!
sleep 1.5
start=$(date +%s%N)
kill -INT $slow
wait_rc $slow
[ "$rc" = 130 ] || fail "exit $rc after SIGINT, not 130: $(cat "$T/slow.log")"
[ $((($(date +%s%N) - start) / 1000000)) -lt 3000 ] || fail "SIGINT took long to act"
[ "$(q 'SELECT count(*) FROM t WHERE id <= 0')" = 0 ] || fail "an interrupted file was committed"

# SIGINT while waiting for another run's lock: exit 130 at once.
"$DEVENV" -q run pg.seed >/dev/null 2>&1 &
holder=$!
sleep 0.5
"$DEVENV" run pg.wait >"$T/waiter.log" 2>&1 &
waiter=$!
sleep 0.5
kill -INT $waiter
wait_rc $waiter
[ "$rc" = 130 ] || fail "a run waiting for the lock exited $rc on SIGINT: $(cat "$T/waiter.log")"
kill -INT $holder
wait $holder || true
echo ok
