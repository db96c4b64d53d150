# Repository resolution: any subfolder, -C, a linked worktree, -c outside a
# repository, and the clear error outside one.
. "$(dirname "$0")/lib.sh"

make_repo "$T/repo" <<'INI'
[postgres]
url = postgresql://u:secretpw@127.0.0.1:1/db
schema = db/schema.sql
INI
mkdir -p "$T/repo/db/deep/er" "$T/outside"
printf 'select 1;\n' >"$T/repo/db/schema.sql"
root=$(cd "$T/repo" && pwd -P)

status_root() {
	dv "$@" status --json
	expect_rc 0
	printf '%s' "$out" >"$T/status.json"
	json_get "$T/status.json" 'j["root"]'
}

cd "$T/repo"
[ "$(status_root)" = "$root" ] || fail "root from the top"
cd "$T/repo/db/deep/er"
[ "$(status_root)" = "$root" ] || fail "root from a subfolder"
cd "$T/outside"
[ "$(status_root -C "$T/repo/db")" = "$root" ] || fail "root with -C"
# The same config, wherever devenv runs from: the state dir is the root's.
[ "$(json_get "$T/status.json" 'j["state_dir"]')" = "$root/.devenv" ] || fail "state dir"
# The password is never shown.
expect_no secretpw

# A linked worktree is a repository of its own.
(cd "$T/repo" && git add -A && git -c user.name=t -c user.email=t@t commit -qm i && git worktree add -q "$T/wt")
wt=$(cd "$T/wt" && pwd -P)
mkdir -p "$T/wt/db/x"
cd "$T/wt/db/x"
[ "$(status_root)" = "$wt" ] || fail "root in a worktree"

# Outside any repository: exit 78 with a clear message...
cd "$T/outside"
dv status
expect_rc 78
expect_err "is not inside a git repository"
expect_err "-c FILE"
# ...unless -c names a config; its paths resolve against its own folder.
cp "$T/repo/devenv.ini" "$T/outside/my.ini"
dv -c my.ini status --json
expect_rc 0
printf '%s' "$out" >"$T/status.json"
[ "$(json_get "$T/status.json" 'j["root"]')" = "$(pwd -P)" ] || fail "-c outside a repository"

# A repository without devenv.ini.
git init -q "$T/empty"
dv -C "$T/empty" status
expect_rc 78
expect_err "no devenv.ini at the repository root"
echo ok
