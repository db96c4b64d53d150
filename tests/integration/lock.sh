# One lock per repository: two runs never overlap; a run that cannot get the
# lock within lock_timeout exits 75.
. "$(dirname "$0")/lib.sh"

make_repo "$T/r" <<'INI'
[devenv]
lock_timeout = 30
[plugin.span]
run = echo "start $(date +%s%N)" >> "$DEVENV_STATE_DIR/spans"; sleep 0.5; echo "end $(date +%s%N)" >> "$DEVENV_STATE_DIR/spans"
INI
cd "$T/r"
"$DEVENV" run span >"$T/o1" 2>&1 &
p1=$!
"$DEVENV" run span >"$T/o2" 2>&1 &
p2=$!
wait $p1 || fail "first run failed: $(cat "$T/o1")"
wait $p2 || fail "second run failed: $(cat "$T/o2")"
# The spans alternate start, end, start, end: never two starts in a row.
[ "$(awk '{print $1}' .devenv/spans | tr '\n' ' ')" = "start end start end " ] ||
	fail "runs overlapped: $(cat .devenv/spans)"
grep -q "waiting for the repository lock" "$T/o1" "$T/o2" || fail "no one said it waited"

# Held too long: exit 75.
sed -i 's/lock_timeout = 30/lock_timeout = 1/; s/sleep 0.5/sleep 3/' devenv.ini
"$DEVENV" -q run span >/dev/null 2>&1 &
p1=$!
sleep 0.5
dv run span
expect_rc 75
expect_err "lock_timeout"
wait $p1
echo ok
