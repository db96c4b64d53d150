/* Unit tests of src/repo.c against real repositories made with git. */
#include "check.h"
#include "core.h"
#include "repo.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char tmp[PATH_MAX];

static int
sh(const char *fmt, const char *arg)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg);
	return system(cmd);
}

static void
test_discover(void)
{
	char *root = NULL, *sub = xasprintf("%s/repo/a/b", tmp), *top = xasprintf("%s/repo", tmp);

	CHECK_INT(devenv_repo_discover(&root, sub), 0);
	CHECK_STR(root, top);
	free(root);
	CHECK_INT(devenv_repo_discover(&root, top), 0);
	CHECK_STR(root, top);
	free(root);
	free(sub);
	free(top);
}

static void
test_worktree(void)
{
	char *root = NULL, *wt = xasprintf("%s/wt", tmp), *sub = xasprintf("%s/wt/a", tmp);

	/* A linked worktree resolves to its own working tree, not the main one. */
	CHECK_INT(devenv_repo_discover(&root, sub), 0);
	CHECK_STR(root, wt);
	free(root);
	free(wt);
	free(sub);
}

static void
test_outside(void)
{
	char *root = (char *)1, *out = xasprintf("%s/plain", tmp);

	CHECK_INT(devenv_repo_discover(&root, out), DEVENV_ECONFIG);
	CHECK(root == NULL);
	CHECK_HAS(devenv_error_last(), "is not inside a git repository");
	free(out);
}

static void
test_blob_id(void)
{
	char id[41], want[64] = "", *file = xasprintf("%s/repo/a/b/file.sql", tmp);
	char *cmd = xasprintf("git hash-object '%s'", file);
	FILE *p = popen(cmd, "r");

	if (p) {
		if (!fgets(want, sizeof(want), p))
			want[0] = '\0';
		pclose(p);
	}
	want[40] = '\0';
	CHECK_INT(devenv_repo_blob_id(id, file), 0);
	CHECK_STR(id, want);
	devenv_repo_blob_id_buf(id, "", 0);
	CHECK_STR(id, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"); /* git's empty blob */
	free(file);
	file = xasprintf("%s/repo/missing", tmp);
	CHECK_INT(devenv_repo_blob_id(id, file), DEVENV_EDATA);
	free(file);
	free(cmd);
}

static void
test_ignored(void)
{
	char *root = xasprintf("%s/repo", tmp), *ign = xasprintf("%s/repo/x.tmp", tmp);
	char *kept = xasprintf("%s/repo/a/b/file.sql", tmp);

	CHECK(devenv_repo_ignored(root, ign));
	CHECK(!devenv_repo_ignored(root, kept));
	free(root);
	free(ign);
	free(kept);
}

int
main(void)
{
	snprintf(tmp, sizeof(tmp), "%s/devenv-repo-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp))
		return 2;
	if (sh("cd '%s' && git init -q repo && mkdir -p repo/a/b plain && "
	       "printf 'select 1;\\n' > repo/a/b/file.sql && echo '*.tmp' > repo/.gitignore && "
	       "cd repo && git add -A && git -c user.name=t -c user.email=t@t commit -qm init && "
	       "git worktree add -q ../wt && mkdir -p ../wt/a",
	       tmp) != 0)
		return 2;
	RUN(test_discover);
	RUN(test_worktree);
	RUN(test_outside);
	RUN(test_blob_id);
	RUN(test_ignored);
	sh("rm -rf '%s'", tmp);
	return check_done();
}
