# devenv plugins: built-in, dlopen'd (plugin_path and DEVENV_PLUGIN_PATH) and
# exec plugins, as text and --json; a module's plugin runs through the ABI.
. "$(dirname "$0")/lib.sh"
: "${DEVENV_TEST_MODULES:?}"

make_repo "$T/r" <<INI
[devenv]
plugin_path = $DEVENV_TEST_MODULES/danger.so

[postgres]
url = postgresql://u:pw@127.0.0.1:1/db
seed = db/seed.sql

[plugin.cognito-ids]
run = echo updating ids
after = pg.wait
summary = update the users' Cognito ids
INI
cd "$T/r"
export DEVENV_PLUGIN_PATH="$DEVENV_TEST_MODULES/hello.so"
dv plugins
expect_rc 0
expect_out "pg.wait"
expect_out "built-in"
expect_out "hello.greet"
expect_out "test.danger"
expect_out "module"
expect_out "cognito-ids"
expect_out "update the users' Cognito ids"
expect_out "after pg.wait"
# ddb.wait needs [dynamodb]: listed only with -v.
expect_no "ddb.wait"
dv -v plugins
expect_out "ddb.wait"
expect_out "(not configured)"

dv plugins --json
expect_rc 0
printf '%s' "$out" >"$T/p.json"
origins=$(json_get "$T/p.json" '",".join(sorted(set(p["origin"] for p in j)))')
[ "$origins" = "built-in,exec,module" ] || fail "origins: $origins"
[ "$(json_get "$T/p.json" '[p for p in j if p["name"]=="test.danger"][0]["destructive"]')" = True ] ||
	fail "danger is destructive"
[ "$(json_get "$T/p.json" '[p for p in j if p["name"]=="cognito-ids"][0]["after"]')" = "['pg.wait']" ] ||
	fail "exec after"
[ "$(json_get "$T/p.json" '[p for p in j if p["name"]=="hello.greet"][0]["source"]')" = "$DEVENV_TEST_MODULES/hello.so" ] ||
	fail "module source"

# A module's plugin runs, with the context API; what it runs after comes first.
unset DEVENV_PLUGIN_PATH
printf 'select 1;\n' >"$T/r/db.sql"
cat >"$T/r/devenv.ini" <<INI
[devenv]
plugin_path = $DEVENV_TEST_MODULES/hello.so
[postgres]
url = postgresql://u:pw@127.0.0.1:$(closed_port)/db
seed = db/seed.sql
wait_timeout = 0
INI
dv run hello.greet
expect_rc 69
expect_out "pg.wait"
expect_out "hello.greet"
expect_out "skipped"
echo ok
