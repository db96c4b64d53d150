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
echo ok
