# ';' inside every lexical form, and a pg_dump file with COPY blocks, run by
# devenv and checked by reading the database back.
. "$(dirname "$0")/lib.sh"
need_servers

base=${DEVENV_TEST_PG_URL%/postgres}
url=$base/devenv_it_lex
copy_url=$base/devenv_it_copy
q() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$1" -c "$2"; }

make_repo "$T/r" <<INI
[postgres]
url = $url
schema = schema.sql
seed = seed.sql
INI
cd "$T/r"
cat >schema.sql <<'SQL'
DROP TABLE IF EXISTS t;
CREATE TABLE t (id int PRIMARY KEY, s text);
CREATE OR REPLACE FUNCTION semi() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN 'a;b'; -- a ';' in a dollar-quoted body
END;
$$;
CREATE OR REPLACE FUNCTION tagged() RETURNS text LANGUAGE sql AS $body$ SELECT 'x;$$;y' $body$;
SQL
cat >seed.sql <<'SQL'
INSERT INTO t VALUES (1, 'single; quoted');
INSERT INTO t VALUES (2, 'doubled ''; quote');
INSERT INTO t VALUES (3, E'escaped \'; quote');
INSERT INTO t VALUES (4, $$dollar; quoted$$);
INSERT INTO t VALUES (5, $tag$tagged; $$ inside$tag$);
INSERT INTO t ("id", "s") VALUES (6, semi());
INSERT INTO t VALUES (7, tagged()); -- trailing comment; with a semicolon
/* block; comment /* nested; */ still; comment */ INSERT INTO t VALUES (8, 'after comment');
INSERT INTO t VALUES (9, 'multi
line; string');
INSERT INTO t VALUES (10, 'é; ü')
SQL
dv run pg.seed
expect_rc 0
[ "$(q "$url" 'SELECT count(*) FROM t')" = 10 ] || fail "rows: $(q "$url" 'SELECT id, s FROM t')"
[ "$(q "$url" 'SELECT s FROM t WHERE id = 3')" = "escaped '; quote" ] || fail "E string"
[ "$(q "$url" 'SELECT s FROM t WHERE id = 5')" = 'tagged; $$ inside' ] || fail "dollar tag"
[ "$(q "$url" 'SELECT s FROM t WHERE id = 6')" = 'a;b' ] || fail "function body"
[ "$(q "$url" 'SELECT s FROM t WHERE id = 7')" = 'x;$$;y' ] || fail "tagged body"

# pg_dump's own output (COPY ... FROM stdin; rows; \.), loaded by devenv.
q "$url" "INSERT INTO t SELECT g, 'row ' || g || E'\ttab; semi' FROM generate_series(100, 2099) g"
"$DEVENV_TEST_PG_BINDIR/pg_dump" --no-owner "$url" >dump.sql
grep -q '^COPY public.t ' dump.sql || fail "pg_dump wrote no COPY block"
cat >"$T/r/devenv.ini" <<INI
[postgres]
url = $copy_url
schema = dump.sql
INI
psql -X -q "$base/postgres" -c "DROP DATABASE IF EXISTS devenv_it_copy WITH (FORCE)"
dv run pg.schema-load
expect_rc 0
[ "$(q "$copy_url" 'SELECT count(*) FROM t')" = 2010 ] || fail "COPY rows"
[ "$(q "$copy_url" "SELECT md5(string_agg(s, '|' ORDER BY id)) FROM t")" = \
	"$(q "$url" "SELECT md5(string_agg(s, '|' ORDER BY id)) FROM t")" ] || fail "COPY data differs"
# The dump's search_path must not leak into the next file.
printf "CREATE TABLE leak_check (x int);\n" >after.sql
sed -i 's|^schema = .*|schema = dump.sql after.sql|' devenv.ini
dv run pg.schema-load
expect_rc 65 # dump.sql's CREATE TABLE public.t fails: t exists: rolled back, named
expect_err "dump.sql:"
psql -X -q "$base/postgres" -c "DROP DATABASE devenv_it_copy WITH (FORCE)"
dv run pg.schema-load
expect_rc 0
[ "$(q "$copy_url" "SELECT count(*) FROM pg_tables WHERE tablename = 'leak_check' AND schemaname = 'public'")" = 1 ] ||
	fail "search_path leaked from one file into the next"

# COPY ... TO STDOUT in a file: psql prints the rows; devenv drains them
# (it once waited for them forever).
printf "CREATE TABLE o (x int);\nINSERT INTO o VALUES (1);\nCOPY o TO STDOUT;\nINSERT INTO o VALUES (2);\n" >out.sql
sed -i 's|^schema = .*|schema = out.sql|' devenv.ini
psql -X -q "$base/postgres" -c "DROP DATABASE IF EXISTS devenv_it_copy WITH (FORCE)"
timeout 20 "$DEVENV" run pg.schema-load >"$T/o.log" 2>&1 || fail "COPY TO STDOUT: $(cat "$T/o.log")"
[ "$(q "$copy_url" 'SELECT count(*) FROM o')" = 2 ] || fail "COPY TO STDOUT lost statements"

# A bad row in a COPY block: its own line.
cat >bad.sql <<'SQL'
CREATE TABLE c (id int);
COPY c (id) FROM stdin;
1
2
three
\.
SQL
sed -i 's|^schema = .*|schema = bad.sql|' devenv.ini
dv run pg.schema-load
expect_rc 65
expect_err "bad.sql:5:1: ERROR: invalid input syntax for type integer: \"three\""
printf "CREATE TABLE c (id int);\nCOPY c (id) FROM stdin;\n1\n" >bad.sql
dv run pg.schema-load
expect_rc 65
expect_err "bad.sql:2:1: COPY data has no terminating \\. line"
echo ok
