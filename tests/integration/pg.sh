# PostgreSQL plugins against the suite's real server: create, drop, schema-load,
# seed, sessions, connect, reset pg, up twice, errors at known lines.
. "$(dirname "$0")/lib.sh"
need_servers

base=${DEVENV_TEST_PG_URL%/postgres}
db=devenv_it_pg
url=$base/$db
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$url" -c "$1"; }

make_repo "$T/r" <<INI
[postgres]
url = $url
schema = db/schema.sql
seed = db/seed.sql db/more.sql
wait_timeout = 5
INI
mkdir -p "$T/r/db"
cat >"$T/r/db/schema.sql" <<'SQL'
DROP TABLE IF EXISTS items;
CREATE TABLE items (id int PRIMARY KEY, note text NOT NULL);
SQL
cat >"$T/r/db/seed.sql" <<'SQL'
INSERT INTO items VALUES (1, 'one; with a semicolon');
INSERT INTO items VALUES (2, 'it''s; quoted');
SQL
printf "INSERT INTO items VALUES (3, 'three');\n" >"$T/r/db/more.sql"
cd "$T/r"
psql -X -q "$base/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"

# run pg.seed: wait, create, schema-load, seed, in order, seed files in order.
dv run pg.seed
expect_rc 0
expect_out "pg.create"
expect_out "pg.schema-load"
expect_out "db/seed.sql db/more.sql"
[ "$(q 'SELECT count(*) FROM items')" = 3 ] || fail "seeded rows"
dv run pg.create
expect_rc 0
expect_out "(exists)"

# up twice: the second touches nothing, so a row added between them survives.
dv up
expect_rc 0
expect_out "pg   $db"
q "INSERT INTO items VALUES (99, 'survivor')"
dv up
expect_rc 0
expect_out "up to date"
expect_no "pg.seed"
[ "$(q 'SELECT count(*) FROM items WHERE id = 99')" = 1 ] || fail "up touched the database"
# A changed input resets the database as a whole.
echo "-- changed" >>db/more.sql
dv up
expect_rc 0
expect_out "reset (inputs changed)"
[ "$(q 'SELECT count(*) FROM items WHERE id = 99')" = 0 ] || fail "changed input, no reset"
# A dropped database voids the fingerprint.
psql -X -q "$base/postgres" -c "DROP DATABASE $db WITH (FORCE)"
dv up
expect_rc 0
expect_out "reset (was missing)"
[ "$(q 'SELECT count(*) FROM items')" = 3 ] || fail "missing database not rebuilt"

# reset pg, with another session connected: the drop ends it.
psql -X -q "$url" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
sleeper=$!
for _ in $(seq 50); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()")" = 1 ] && break
	sleep 0.1
done
dv pg sessions
expect_rc 0
expect_out "psql"
dv pg sessions --json
expect_rc 0
printf '%s' "$out" >"$T/s.json"
[ "$(json_get "$T/s.json" 'any(s["application"]=="psql" for s in j)')" = True ] || fail "sessions json"
q "INSERT INTO items VALUES (50, 'gone after reset')"
dv reset pg
expect_rc 0
expect_out "pg.drop"
wait $sleeper 2>/dev/null || true
[ "$(q 'SELECT count(*) FROM items')" = 3 ] || fail "reset pg"
dv up
expect_out "up to date"

# pg connect: psql on the resolved URL.
set +e
ans=$(echo "SELECT 40 + 2;" | "$DEVENV" pg connect -X -A -t 2>&1)
set -e
case "$ans" in *42*) ;; *) fail "pg connect: $ans" ;; esac

# A failing statement at a known line: exit 65, FILE:LINE:COL, the file rolled
# back: the schema file drops the table first, yet the rows are all still there.
before=$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM items")
cat >db/bad.sql <<'SQL'
DROP TABLE IF EXISTS items;
CREATE TABLE items (id int PRIMARY KEY, note text NOT NULL);

INSERT INTO items VALUES (11, 'eleven');
INSERT INTO items VALUES (11, 'duplicate key');
INSERT INTO items VALUES (12, 'twelve');
SQL
sed -i 's|^schema = .*|schema = db/bad.sql|' devenv.ini
dv run pg.schema-load
expect_rc 65
expect_err "devenv: db/bad.sql:5:1: ERROR: duplicate key value violates unique constraint"
expect_err "DETAIL: Key (id)=(11) already exists."
[ "$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM items")" = "$before" ] ||
	fail "a failed file changed the tables"
sed -i 's|^schema = .*|schema = db/schema.sql|; s|^seed = .*|seed = db/bad.sql|' devenv.ini
# A syntax error: the column too, from the server's position.
printf "SELECT 1;\nSELECT 2;\n  SELEC 3;\n" >db/bad.sql
dv run pg.seed
expect_rc 65
expect_err "db/bad.sql:3:3: ERROR: syntax error at or near \"SELEC\""
# An unsupported psql meta-command: named, nothing sent.
printf "INSERT INTO items VALUES (20, 'x');\n\\\\gexec\n" >db/bad.sql
dv run pg.seed
expect_rc 65
expect_err "db/bad.sql:2:1: psql meta-command '\\gexec' is not supported"
[ "$(q 'SELECT count(*) FROM items WHERE id = 20')" = 0 ] || fail "meta-command file ran"
# Transaction control inside a file.
printf "INSERT INTO items VALUES (21, 'x');\nCOMMIT;\nINSERT INTO items VALUES (22, 'y');\n" >db/bad.sql
dv run pg.seed
expect_rc 65
expect_err "db/bad.sql:2:1: transaction control inside the file"
# A BEGIN ... COMMIT wrapper is fine: devenv owns the transaction.
printf "BEGIN;\nINSERT INTO items VALUES (23, 'wrapped');\nCOMMIT;\n" >db/bad.sql
dv run pg.seed
expect_rc 0
[ "$(q 'SELECT count(*) FROM items WHERE id = 23')" = 1 ] || fail "wrapped file"

# -e prod: prod_url; destructive plugins refused (77) unless --allow-destructive
# and the database name typed back; up creates what is missing, never seeds.
prod=devenv_it_prod
psql -X -q "$base/postgres" -c "DROP DATABASE IF EXISTS $prod WITH (FORCE)"
cat >devenv.ini <<INI
[postgres]
url = $url
prod_url = $base/$prod
schema = db/schema.sql
seed = db/seed.sql
[env.prod]
protected = true
INI
dv -e prod up
expect_rc 0
expect_out "not seeded"
expect_no "pg.seed"
[ "$(psql -X -A -t "$base/$prod" -c 'SELECT count(*) FROM items')" = 0 ] || fail "prod was seeded by up"
dv -e prod up
expect_rc 0
expect_out "not touched"
dv -e prod reset pg
expect_rc 77
expect_err "refusing pg.drop"
dv -e prod --allow-destructive reset pg
expect_rc 77
expect_err "not confirmed"
DEVENV_CONFIRM=cruddur dv -e prod --allow-destructive reset pg
expect_rc 77
DEVENV_CONFIRM=$prod dv -e prod --allow-destructive reset pg
expect_rc 0
[ "$(psql -X -A -t "$base/$prod" -c 'SELECT count(*) FROM items')" = 2 ] || fail "confirmed reset"
# Seeding production is explicit (and its schema, on a database with tables,
# is not reloaded).
psql -X -q "$base/$prod" -c "DELETE FROM items"
DEVENV_ENV=prod dv run pg.seed
expect_rc 0
expect_out "skipped: prod is protected"
[ "$(psql -X -A -t "$base/$prod" -c 'SELECT count(*) FROM items')" = 2 ] || fail "explicit prod seed"
# The local database was never touched by any of it.
[ "$(q 'SELECT count(*) FROM items WHERE id = 23')" = 1 ] || fail "prod commands touched the dev database"
echo ok
