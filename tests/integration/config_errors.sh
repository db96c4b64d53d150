# A broken devenv.ini: exit 78 and the line.
. "$(dirname "$0")/lib.sh"

check() { # EXPECTED-MESSAGE, config on stdin
	rm -rf "$T/r"
	make_repo "$T/r"
	dv -C "$T/r" plugins
	expect_rc 78
	expect_err "devenv: $1"
}

check "devenv.ini:3: syntax error" <<'INI'
[postgres]
url = postgresql://localhost/db
this is not ini
INI
check "devenv.ini:2: unknown key 'sed' in [postgres]" <<'INI'
[postgres]
sed = db/seed.sql
INI
check "devenv.ini:4: unknown section [postgresql]" <<'INI'
[postgres]
url = postgresql://localhost/db

[postgresql]
url = x
INI
check "devenv.ini:2: lock_timeout: 'ten' is not a whole number" <<'INI'
[devenv]
lock_timeout = ten
INI
check "devenv.ini:2: unterminated \${" <<'INI'
[postgres]
url = ${CONNECTION_URL:-postgresql://localhost/db
INI
check "devenv.ini:1: [plugin.hook] has no 'run' command" <<'INI'
[plugin.hook]
after = pg.wait
INI

# An unknown environment is a config error too.
make_repo "$T/r2" <<'INI'
[postgres]
url = postgresql://localhost/db
INI
dv -C "$T/r2" -e staging plugins
expect_rc 78
expect_err "no [env.staging] section"
DEVENV_ENV=staging dv -C "$T/r2" plugins
expect_rc 78
echo ok
