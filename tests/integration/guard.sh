# The destructive guard: refused on a protected environment or a non-local
# target unless --allow-destructive and the name typed back.
. "$(dirname "$0")/lib.sh"
: "${DEVENV_TEST_MODULES:?}"

make_repo "$T/r" <<INI
[devenv]
plugin_path = $DEVENV_TEST_MODULES/danger.so
[env.prod]
protected = true
INI
cd "$T/r"
dv run test.danger
expect_rc 0
[ -e .devenv/danger-ran ] || fail "not protected, yet it did not run"
rm -f .devenv/danger-ran

dv -e prod run test.danger
expect_rc 77
expect_err "refusing test.danger"
expect_err "--allow-destructive"
dv -e prod --allow-destructive run test.danger
expect_rc 77
expect_err "not confirmed"
DEVENV_CONFIRM=wrong dv -e prod --allow-destructive run test.danger
expect_rc 77
[ ! -e .devenv/danger-ran ] || fail "ran without confirmation"
DEVENV_CONFIRM=test.danger dv -e prod --allow-destructive run test.danger
expect_rc 0
[ -e .devenv/danger-ran ] || fail "confirmed, yet it did not run"
# PostgreSQL targets: the name typed back is the database pg.drop would drop
# (libpq's default, the user's name, when the URL names none); a host is
# local by its address, hostaddr included, not by a name starting "127.".
make_repo "$T/pg" <<'INI'
[postgres]
url = postgresql://victim:pw@127.0.0.1:1
prod_url = postgresql://victim:pw@127.0.0.1:1
wait_timeout = 0
start = never
[env.prod]
protected = true
INI
cd "$T/pg"
DEVENV_CONFIRM=postgres dv -e prod --allow-destructive run pg.drop
expect_rc 77
expect_err "database 'victim'"
for url in "postgresql://u:pw@localhost:1/db?hostaddr=192.0.2.10" "postgresql://u:pw@127.0.0.1.nip.io:1/db" \
	"postgresql://u:pw@db.example.com:1/db" "postgresql:///db?service=prod"; do
	sed -i "s|^url = .*|url = $url|" devenv.ini
	dv run pg.drop
	expect_rc 77
	expect_err "not local"
done
# A service file names the hosts libpq will use: not known to be local.
sed -i "s|^url = .*|url = postgresql:///db|" devenv.ini
PGSERVICE=prod dv run pg.drop
expect_rc 77
expect_err "not local"
for url in "postgresql://u:pw@127.0.0.2:1/db" "postgresql://u:pw@[::1]:1/db" "postgresql://u:pw@localhost:1/db"; do
	sed -i "s|^url = .*|url = $url|" devenv.ini
	dv run pg.drop
	[ "$rc" != 77 ] || fail "$url is local, yet refused: $err"
done
echo ok
