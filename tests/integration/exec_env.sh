# Exec plugins: /bin/sh -c in the repository root, DEVENV_* in the
# environment, every line prefixed with the plugin's name.
. "$(dirname "$0")/lib.sh"

make_repo "$T/r" <<'INI'
[postgres]
url = postgresql://app:hunter2pw@127.0.0.1:5432/cruddur
[dynamodb]
endpoint = http://127.0.0.1:8000
[plugin.show]
run = echo "root=$DEVENV_ROOT"; echo "pwd=$(pwd)"; echo "env=$DEVENV_ENV"; echo "pg=$DEVENV_PG_URL"; echo "ddb=$DEVENV_DDB_ENDPOINT"; echo "to stderr" >&2
INI
mkdir -p "$T/r/sub"
root=$(cd "$T/r" && pwd -P)
cd "$T/r/sub"
dv run show
expect_rc 0
expect_out "show: root=$root"
expect_out "show: pwd=$root"
expect_out "show: env=dev"
expect_out "show: ddb=http://127.0.0.1:8000"
# The plugin gets the real URL; devenv's own output masks the password.
expect_out "show: pg=postgresql://app:***@127.0.0.1:5432/cruddur"
expect_no "hunter2pw"
expect_err "show: to stderr"
echo ok
