# valgrind: a full reset of the example project and a watcher session (a
# change, SIGHUP, SIGTERM) with no memory error and no definite leak. The
# sanitizer build has its own checker: there this test is skipped.
. "$(dirname "$0")/lib.sh"
need_servers
command -v valgrind >/dev/null || { echo "no valgrind"; exit 77; }
ldd "$DEVENV" | grep -q libasan && { echo "an ASan build: valgrind does not apply"; exit 77; }

src=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$T/r"
cp -r "$src/db" "$src/ddb" "$src/devenv.ini" "$T/r/"
git init -q "$T/r"
cd "$T/r"
table="it-vg-$$"
sed -i "s/cruddur-messages/$table/" ddb/schema.json
sed -i "s/^table = .*/table = $table/" devenv.ini
export CONNECTION_URL=${DEVENV_TEST_PG_URL%/postgres}/devenv_it_valgrind AWS_ENDPOINT_URL=$DEVENV_TEST_DDB_ENDPOINT
export AWS_ACCESS_KEY_ID=devenvtest AWS_SECRET_ACCESS_KEY=devenvtestsecret
vg=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
	--show-leak-kinds=definite --track-fds=no -q)

"${vg[@]}" "$DEVENV" -q reset >"$T/reset.log" 2>&1 || fail "valgrind on reset: $(cat "$T/reset.log")"

"${vg[@]}" "$DEVENV" up --watch >"$T/watch.log" 2>&1 &
w=$!
for _ in $(seq 600); do grep -q "watching for changes" "$T/watch.log" && break; sleep 0.05; done
echo "-- a change" >>db/seed.sql
for _ in $(seq 600); do [ "$(grep -c "reset (inputs changed)" "$T/watch.log")" -ge 1 ] && break; sleep 0.05; done
kill -HUP "$(cat .devenv/devenv.pid)"
for _ in $(seq 600); do grep -q "re-read the configuration" "$T/watch.log" && break; sleep 0.05; done
kill -TERM "$(cat .devenv/devenv.pid)"
wait_rc $w
[ "$rc" = 0 ] || fail "valgrind on a watcher session: exit $rc: $(cat "$T/watch.log")"
grep -q "reset (inputs changed)" "$T/watch.log" || fail "the watcher did not run: $(cat "$T/watch.log")"
echo ok
