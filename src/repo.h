/* repo.h: the repository devenv works in, found with libgit2. */
#ifndef DEVENV_REPO_H
#define DEVENV_REPO_H

#include <stddef.h>

/* Finds the repository containing 'start' (any subfolder, a linked worktree
 * too) and writes its working tree root, absolute and without a trailing
 * slash, to '*root' (free() it). Returns 0, or DEVENV_ECONFIG when 'start'
 * is not inside a repository with a working tree. */
int devenv_repo_discover(char **root, const char *start);

/* Whether git ignores 'path' (absolute, inside 'root'). 0 when unsure. */
int devenv_repo_ignored(const char *root, const char *path);

/* The git blob id of the file at 'path', as 40 hex digits. Returns 0, or
 * DEVENV_EDATA when it cannot be read. */
int devenv_repo_blob_id(char out[41], const char *path);

/* The git blob id of a buffer. */
void devenv_repo_blob_id_buf(char out[41], const void *buf, size_t len);

#endif
