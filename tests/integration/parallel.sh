# Independent chains run at the same time: each of two exec plugins waits for
# the other's marker, which only works when both run at once.
. "$(dirname "$0")/lib.sh"

make_repo "$T/r" <<'INI'
[plugin.left]
run = touch "$DEVENV_STATE_DIR/left"; for i in $(seq 100); do [ -e "$DEVENV_STATE_DIR/right" ] && exit 0; sleep 0.05; done; echo never saw right >&2; exit 1
[plugin.right]
run = touch "$DEVENV_STATE_DIR/right"; for i in $(seq 100); do [ -e "$DEVENV_STATE_DIR/left" ] && exit 0; sleep 0.05; done; echo never saw left >&2; exit 1
[plugin.both]
run = true
after = left right
INI
cd "$T/r"
dv run both
expect_rc 0
expect_out "left"
expect_out "right"
grep -q "never saw" "$T/.err" && fail "a plugin did not see the other run"
echo ok
