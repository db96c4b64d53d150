# devenv run: the after graph orders plugins; a cycle is rejected, named; a
# failure stops what depends on it and nothing else.
. "$(dirname "$0")/lib.sh"

make_repo "$T/r" <<'INI'
[plugin.a]
run = echo a >> "$DEVENV_STATE_DIR/order"
[plugin.b]
run = echo b >> "$DEVENV_STATE_DIR/order"
after = a
[plugin.c]
run = echo c >> "$DEVENV_STATE_DIR/order"
after = b
[plugin.d]
run = echo d >> "$DEVENV_STATE_DIR/order"
after = a c
INI
cd "$T/r"
dv run d
expect_rc 0
[ "$(tr '\n' ' ' <.devenv/order)" = "a b c d " ] || fail "order: $(cat .devenv/order)"
for p in a b c d; do expect_out "$p "; done
expect_out " ok "

# A cycle, named whole; nothing runs.
cat >>devenv.ini <<'INI'
[plugin.x]
run = echo x >> "$DEVENV_STATE_DIR/order"
after = z
[plugin.y]
run = echo y >> "$DEVENV_STATE_DIR/order"
after = x
[plugin.z]
run = echo z >> "$DEVENV_STATE_DIR/order"
after = y
[plugin.w]
run = true
after = y
INI
rm -f .devenv/order
dv run w
expect_rc 78
expect_err "cycle: "
expect_err "x -> "
expect_err "y -> "
expect_err "z -> "
[ ! -e .devenv/order ] || fail "a plugin ran despite the cycle"

# An after that names no plugin.
cat >>devenv.ini <<'INI'
[plugin.orphan]
run = true
after = ghost
INI
dv run orphan
expect_rc 78
expect_err "plugin orphan runs after 'ghost', which no plugin is"

# A failure stops its dependants, not the other chain.
make_repo "$T/f" <<'INI'
[plugin.bad]
run = echo broken >&2; exit 3
[plugin.after-bad]
run = touch "$DEVENV_STATE_DIR/after-bad"
after = bad
[plugin.slow-other]
run = sleep 0.3; touch "$DEVENV_STATE_DIR/other"
INI
cd "$T/f"
dv run after-bad slow-other
expect_rc 1
expect_err "bad: broken"
expect_err "exited with status 3"
expect_out "skipped"
[ -e .devenv/other ] || fail "the independent chain did not finish"
[ ! -e .devenv/after-bad ] || fail "a dependant of a failed plugin ran"
echo ok
