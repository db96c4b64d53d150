/* plugins/postgres/sql_files.h — what pg.schema-load and pg.seed share: run
 * the files of one [postgres] key in order, each in its own transaction. */
#ifndef DEVENV_PLUGIN_PG_SQL_FILES_H
#define DEVENV_PLUGIN_PG_SQL_FILES_H

#include <devenv/plugin.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline int
run_sql_files(struct devenv_ctx *ctx, const char *key)
{
	const char *const *files = devenv_cfg_list(ctx, "postgres", key);
	struct pg_conn *conn = devenv_pg(ctx);
	char detail[512] = "";
	size_t len = 0;
	int err = 0;

	for (const char *const *f = files; *f; f++)
		len += (size_t)snprintf(detail + len,
		                        len < sizeof(detail) ? sizeof(detail) - len : 0, "%s%s",
		                        len ? " " : "", devenv_path_display(ctx, *f));
	devenv_set_detail(ctx, "%s", *files ? detail : "(no files)");
	/* Every file must be there before the first runs: a missing second
	 * file must not leave the first one committed. */
	for (const char *const *f = files; *f; f++) {
		struct stat sb;

		if (stat(*f, &sb) != 0 || access(*f, R_OK) != 0)
			return devenv_error_set_at(DEVENV_EDATA, devenv_path_display(ctx, *f), 0, 0,
			                           "cannot open: %s", strerror(errno));
		if (S_ISDIR(sb.st_mode))
			return devenv_error_set_at(DEVENV_EDATA, devenv_path_display(ctx, *f), 0, 0,
			                           "is a directory, not a file");
	}
	if (*files && !conn)
		return devenv_error_set(DEVENV_EFAIL, "%s", devenv_error_last());
	for (; *files && !err; files++)
		err = devenv_sql_run_file(ctx, conn, *files);
	return err;
}

#endif
