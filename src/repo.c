/* repo.c: repository discovery, ignore rules and blob ids, all by libgit2. */
#include "repo.h"
#include "core.h"

#include <git2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t git_once = PTHREAD_ONCE_INIT;

static void
git_init(void)
{
	git_libgit2_init();
	/* Discovery must not stop at a folder owned by another user (the
	 * dev container's workspace often is). devenv only reads. */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}

static const char *
git_message(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

int
devenv_repo_discover(char **root, const char *start)
{
	git_repository *repo = NULL;
	const char *wd;
	size_t n;
	int r;

	*root = NULL;
	pthread_once(&git_once, git_init);
	r = git_repository_open_ext(&repo, start, 0, NULL);
	if (r == GIT_ENOTFOUND)
		return devenv_error_set(DEVENV_ECONFIG,
		                        "%s is not inside a git repository (run devenv in the "
		                        "project, give -C DIR, or name a config with -c FILE)",
		                        start);
	if (r < 0)
		return devenv_error_set(DEVENV_ECONFIG, "%s: %s", start, git_message());
	wd = git_repository_workdir(repo);
	if (!wd) {
		git_repository_free(repo);
		return devenv_error_set(DEVENV_ECONFIG, "%s: a bare repository has no working tree",
		                        start);
	}
	n = strlen(wd);
	while (n > 1 && wd[n - 1] == '/')
		n--;
	*root = xstrndup(wd, n);
	git_repository_free(repo);
	return 0;
}

int
devenv_repo_ignored(const char *root, const char *path)
{
	git_repository *repo = NULL;
	size_t n = strlen(root);
	int ignored = 0;

	pthread_once(&git_once, git_init);
	if (strncmp(path, root, n) != 0 || path[n] != '/')
		return 0;
	if (git_repository_open(&repo, root) < 0)
		return 0;
	if (git_ignore_path_is_ignored(&ignored, repo, path + n + 1) < 0)
		ignored = 0;
	git_repository_free(repo);
	return ignored;
}

int
devenv_repo_blob_id(char out[41], const char *path)
{
	git_oid oid;

	pthread_once(&git_once, git_init);
	if (git_odb_hashfile(&oid, path, GIT_OBJECT_BLOB) < 0)
		return devenv_error_set_at(DEVENV_EDATA, path, 0, 0, "cannot read: %s",
		                           git_message());
	git_oid_tostr(out, 41, &oid);
	return 0;
}

void
devenv_repo_blob_id_buf(char out[41], const void *buf, size_t len)
{
	git_oid oid;

	pthread_once(&git_once, git_init);
	git_odb_hash(&oid, buf, len, GIT_OBJECT_BLOB);
	git_oid_tostr(out, 41, &oid);
}
