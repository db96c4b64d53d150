# The command line: usage, help, exit codes.
. "$(dirname "$0")/lib.sh"

dv
expect_rc 64
expect_err "usage: devenv"
dv --help
expect_rc 0
expect_out "commands:"
dv frobnicate
expect_rc 64
expect_err "'frobnicate' is not a devenv command"
dv version
expect_rc 0
expect_out "devenv "
dv -q -v plugins
expect_rc 64
dv -C
expect_rc 64
expect_err "-C needs a value"
dv -C "$T/does-not-exist" plugins
expect_rc 64

# Every command of the contract has its own --help, which needs no repository.
cd "$T"
for c in up reset run wait status plugins stop pg ddb; do
	dv "$c" --help
	expect_rc 0
	expect_out "usage: devenv [options] $c"
	dv help "$c"
	expect_rc 0
done

make_repo "$T/r" <<'INI'
[postgres]
url = postgresql://u:pw@127.0.0.1:1/db
INI
cd "$T/r"
dv run
expect_rc 64
expect_err "run needs at least one plugin name"
dv run no.such
expect_rc 64
expect_err "unknown plugin 'no.such'"
dv reset mysql
expect_rc 64
expect_err "'mysql' is not a database"
dv reset ddb
expect_rc 64
expect_err "no [dynamodb] section"
dv ddb tables
expect_rc 78
dv wait --timeout soon
expect_rc 64
dv up --bogus
expect_rc 64
# Global options may follow the command.
dv plugins --json
expect_rc 0
expect_out '"name": "pg.wait"'
echo ok
