/* pg.h: the core's PostgreSQL connections. */
#ifndef DEVENV_PG_H
#define DEVENV_PG_H

#include <devenv/plugin.h>
#include <libpq-fe.h>

/* Registers the password of a PostgreSQL URL or connection string, in any
 * form libpq accepts, as a secret. */
void devenv_pg_secrets(const char *url);

/* Closes the context's connections. */
void devenv_pg_release(struct devenv_ctx *ctx);

/* Sets the error from a failed result: FILE:LINE:COL when 'file' is given,
 * the server's DETAIL and HINT, and the code its SQLSTATE class calls for
 * (DEVENV_EDATA for bad SQL or data, DEVENV_EFAIL for the server or the
 * connection). */
int devenv_pg_result_error(const PGresult *res, PGconn *conn, const char *file, int line, int col);

#endif
