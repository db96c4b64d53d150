/* Unit tests of src/state.c: the lock and the saved state. */
#include "check.h"
#include "core.h"
#include "state.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[PATH_MAX];

static void
test_dir_created_private(void)
{
	char *dir = xasprintf("%s/a/b/.devenv", tmp);
	struct devenv_state *st;
	struct stat sb;

	CHECK_INT(devenv_state_open(&st, dir), 0);
	CHECK_INT(stat(dir, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0700);
	devenv_state_close(st);
	free(dir);
}

static void
test_lock(void)
{
	char *dir = xasprintf("%s/lk", tmp);
	struct devenv_state *a, *b;
	int64_t t0;

	CHECK_INT(devenv_state_open(&a, dir), 0);
	CHECK_INT(devenv_state_open(&b, dir), 0);
	CHECK_INT(devenv_state_lock(a, 0), 0);
	/* Another holder: a second lock waits its timeout, then gives up. */
	t0 = devenv_now_ms();
	CHECK_INT(devenv_state_lock(b, 1), DEVENV_ELOCKED);
	CHECK(devenv_now_ms() - t0 >= 1000);
	CHECK_HAS(devenv_error_last(), "lock_timeout");
	devenv_state_unlock(a);
	CHECK_INT(devenv_state_lock(b, 0), 0);
	devenv_state_close(a);
	devenv_state_close(b);
	free(dir);
}

static void
test_save_load(void)
{
	char *dir = xasprintf("%s/sv", tmp), out[64];
	struct devenv_state *st;

	CHECK_INT(devenv_state_open(&st, dir), 0);
	CHECK_INT(devenv_state_load(st, "pg", out, sizeof(out)), 0);
	CHECK_STR(out, "");
	CHECK_INT(devenv_state_save(st, "pg", "abc"), 0);
	CHECK_INT(devenv_state_save(st, "ddb", "def"), 0);
	CHECK_INT(devenv_state_load(st, "pg", out, sizeof(out)), 0);
	CHECK_STR(out, "abc");
	CHECK_INT(devenv_state_save(st, "pg", NULL), 0);
	CHECK_INT(devenv_state_load(st, "pg", out, sizeof(out)), 0);
	CHECK_STR(out, "");
	CHECK_INT(devenv_state_load(st, "ddb", out, sizeof(out)), 0);
	CHECK_STR(out, "def");
	devenv_state_close(st);
	free(dir);
}

int
main(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(tmp, sizeof(tmp), "%s/devenv-state-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp))
		return 2;
	RUN(test_dir_created_private);
	RUN(test_lock);
	RUN(test_save_load);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
