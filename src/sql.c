/*
 * sql.c: the SQL file runner. A file runs as `psql -1 -v ON_ERROR_STOP=1`
 * would run it, but many statements go in one simple-query message (a slice
 * of the file as it is), so a 100k-INSERT seed pays tens of round trips, not
 * 100k. COPY ... FROM stdin rows stream with the COPY protocol. A failure
 * rolls the file back; its place in the file comes from the server's error
 * position, or, when the server gives none, from replaying the failed
 * slice one statement at a time inside a transaction that is rolled back.
 */
#include "core.h"
#include "pg.h"
#include "run.h"
#include "sql_lex.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BATCH_BYTES = 256 * 1024, COPY_CHUNK = 1024 * 1024 };

struct runner {
	struct devenv_ctx *ctx;
	PGconn *conn;
	const char *file; /* as shown */
	char *buf;
	size_t len;
	struct devenv_sql_item *items;
	size_t n;
	size_t first, last; /* the items to run: a BEGIN/COMMIT wrapper is left out */
	uint64_t done;      /* bytes sent, for progress */
};

/* Whether the meta-command text 'm' (len 'n', from its backslash) is \name. */
static int
is_meta(const char *m, size_t n, const char *name)
{
	size_t k = strlen(name);

	return n > k && memcmp(m + 1, name, k) == 0 &&
	       (n == k + 1 || m[k + 1] == ' ' || m[k + 1] == '\t');
}

/* Lexes the whole file first: a bad construct or a meta-command is reported
 * before anything is sent. */
static int
lex_all(struct runner *r)
{
	struct devenv_sql_lexer lx;
	struct devenv_sql_item it;
	size_t cap = 0;
	int err;

	devenv_sql_lexer_init(&lx, r->buf, r->len, r->file);
	for (;;) {
		if ((err = devenv_sql_next(&lx, &it)))
			return err;
		if (it.kind == DEVENV_SQL_END)
			break;
		/* pg_dump (since 15.14) brackets its output with \restrict KEY and
		 * \unrestrict KEY; they only guard psql's own meta-commands. */
		if (it.kind == DEVENV_SQL_META &&
		    (is_meta(&r->buf[it.start], it.end - it.start, "restrict") ||
		     is_meta(&r->buf[it.start], it.end - it.start, "unrestrict")))
			continue;
		if (it.kind == DEVENV_SQL_META)
			return devenv_error_set_at(DEVENV_EDATA, r->file, it.line, it.col,
			                           "psql meta-command '%.*s' is not supported",
			                           (int)(it.end - it.start), r->buf + it.start);
		if (r->n == cap) {
			cap = cap ? cap * 2 : 1024;
			r->items = xrealloc(r->items, cap * sizeof(*r->items));
		}
		r->items[r->n++] = it;
	}
	return 0;
}

static int
is_word(const struct runner *r, const struct devenv_sql_item *it, const char *const *words)
{
	char w[16];

	if (it->kind != DEVENV_SQL_STATEMENT)
		return 0;
	devenv_sql_first_word(r->buf, it->start, it->end, w, sizeof(w));
	for (; *words; words++)
		if (strcmp(w, *words) == 0)
			return 1;
	return 0;
}

/* devenv owns the transaction: a file wrapped in BEGIN ... COMMIT runs as
 * if unwrapped; transaction control anywhere else is an error. */
static int
strip_wrapper(struct runner *r)
{
	static const char *const begin[] = { "BEGIN", "START", NULL };
	static const char *const end[] = { "COMMIT", "END", NULL };
	static const char *const any[] = { "BEGIN",    "START", "COMMIT", "END",
		                           "ROLLBACK", "ABORT", NULL };

	r->first = 0;
	r->last = r->n;
	if (r->n >= 2 && is_word(r, &r->items[0], begin) && is_word(r, &r->items[r->n - 1], end)) {
		r->first = 1;
		r->last = r->n - 1;
	}
	for (size_t i = r->first; i < r->last; i++)
		if (is_word(r, &r->items[i], any))
			return devenv_error_set_at(
			        DEVENV_EDATA, r->file, r->items[i].line, r->items[i].col,
			        "transaction control inside the file: devenv runs "
			        "each file in one transaction");
	return 0;
}

/* Maps the server's error position (characters from 1 in the text sent,
 * which starts at byte 'base' of the file) to the file's line and column. */
static void
map_position(const struct runner *r, size_t base, const char *pos, int *line, int *col)
{
	long chars = strtol(pos, NULL, 10);
	size_t off = base;

	for (; chars > 1 && off < r->len; off++)
		if (((unsigned char)r->buf[off + 1] & 0xC0) != 0x80)
			chars--;
	devenv_text_position(r->buf, off, line, col);
}

/* Waits for the server's answer, asking it to cancel the statement when
 * devenv is interrupted (SIGINT/SIGTERM), so a long statement ends too. */
static void
wait_cancellable(struct runner *r)
{
	int cancelled = 0;

	while (PQisBusy(r->conn)) {
		struct pollfd pfd = { .fd = PQsocket(r->conn), .events = POLLIN };

		if (pfd.fd < 0)
			return;
		if (poll(&pfd, 1, cancelled ? -1 : 200) < 0 && errno != EINTR)
			return;
		if (!cancelled && devenv_cancelled(r->ctx)) {
			PGcancel *c = PQgetCancel(r->conn);
			char why[256];

			if (c) {
				PQcancel(c, why, sizeof(why));
				PQfreeCancel(c);
			}
			cancelled = 1;
		}
		if (pfd.revents && !PQconsumeInput(r->conn))
			return;
	}
}

/* Sends [start, end) of the file as one simple query and reads every result.
 * On failure, '*failed' keeps the first error result (PQclear it). */
static int
send_slice(struct runner *r, size_t start, size_t end, PGresult **failed)
{
	char save = r->buf[end];
	PGresult *res;
	int ok;

	*failed = NULL;
	r->buf[end] = '\0';
	ok = PQsendQuery(r->conn, r->buf + start);
	r->buf[end] = save;
	if (!ok)
		return -1;
	wait_cancellable(r);
	while ((res = PQgetResult(r->conn))) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
			/* COPY ... TO STDOUT: psql would print the rows; a seed
			 * has no use for them. Drained, or libpq stays in COPY. */
			char *row;

			PQclear(res);
			while (PQgetCopyData(r->conn, &row, 0) > 0)
				PQfreemem(row);
			continue;
		}
		if (st == PGRES_COPY_IN) {
			/* Not seen as COPY ... FROM stdin by the lexer: the server's
			 * error for this ending follows. */
			PQclear(res);
			PQputCopyEnd(r->conn,
			             "COPY ... FROM stdin must be followed by its rows and "
			             "a \\. line");
			continue;
		}
		if (st == PGRES_FATAL_ERROR && !*failed) {
			*failed = res;
			continue;
		}
		PQclear(res);
	}
	return *failed ? -1 : 0;
}

/* Streams the rows of a COPY ... FROM stdin; its statement at 'stmt', its
 * data at 'data'. Sets the error, mapped to the row's line, on failure. */
static int
run_copy(struct runner *r, const struct devenv_sql_item *stmt, const struct devenv_sql_item *data)
{
	char save = r->buf[stmt->end];
	PGresult *res;
	int err = 0;

	r->buf[stmt->end] = '\0';
	res = PQexec(r->conn, r->buf + stmt->start);
	r->buf[stmt->end] = save;
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
		int line = stmt->line, col = stmt->col;

		if (pos)
			map_position(r, stmt->start, pos, &line, &col);
		err = devenv_pg_result_error(res, r->conn, r->file, line, col);
		PQclear(res);
		return err;
	}
	PQclear(res);
	for (size_t off = data->start; off < data->end && !devenv_cancelled(r->ctx);) {
		size_t n = data->end - off > COPY_CHUNK ? COPY_CHUNK : data->end - off;

		if (PQputCopyData(r->conn, r->buf + off, (int)n) != 1)
			break;
		off += n;
		r->done += n;
		devenv_progress(r->ctx, r->done, r->len);
	}
	PQputCopyEnd(r->conn, devenv_cancelled(r->ctx) ? "cancelled" : NULL);
	while ((res = PQgetResult(r->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !err) {
			const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
			const char *at = context ? strstr(context, ", line ") : NULL;
			int row = at ? atoi(at + 7) : 0;

			/* "COPY users, line 3": the third row after the statement. */
			err = devenv_pg_result_error(res, r->conn, r->file,
			                             row > 0 ? data->line + row - 1 : stmt->line,
			                             row > 0 ? 1 : stmt->col);
		}
		PQclear(res);
	}
	return err;
}

/* Runs items [from, to): statements in slices of about BATCH_BYTES, or one by
 * one; COPY blocks alone. Returns 0, or -1 with '*failed_at' the first item
 * of the slice that failed and '*failed' its result (error not yet set), or
 * a code with the error set (COPY, cancellation). */
static int
run_items(struct runner *r, size_t from, size_t to, int one_by_one, size_t *failed_at,
          PGresult **failed)
{
	size_t i = from;

	*failed = NULL;
	while (i < to) {
		const struct devenv_sql_item *it = &r->items[i];
		size_t j = i;

		if (devenv_cancelled(r->ctx))
			return devenv_error_set(DEVENV_ECANCELLED, "cancelled");
		if (it->copy_in) {
			int err = run_copy(r, it, &r->items[i + 1]);

			if (err && devenv_cancelled(r->ctx))
				return devenv_error_set(DEVENV_ECANCELLED, "%s: cancelled",
				                        r->file);
			if (err)
				return err;
			i += 2;
			continue;
		}
		/* A slice: consecutive statements, contiguous in the file. */
		while (j + 1 < to && !one_by_one && !r->items[j + 1].copy_in &&
		       r->items[j + 1].end - it->start <= BATCH_BYTES)
			j++;
		if (send_slice(r, it->start, r->items[j].end, failed) != 0) {
			*failed_at = i;
			return -1;
		}
		r->done += r->items[j].end - it->start;
		devenv_progress(r->ctx, r->done, r->len);
		i = j + 1;
	}
	return 0;
}

static int
exec_simple(struct runner *r, const char *sql)
{
	PGresult *res = PQexec(r->conn, sql);
	int err = 0;

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		err = devenv_pg_result_error(res, r->conn, r->file, 0, 0);
	PQclear(res);
	return err;
}

/* The server gave no position: replay up to the failed slice (which ran
 * before), then the slice one statement at a time, to name the statement.
 * Everything is rolled back. Sets the error. */
static int
locate_failure(struct runner *r, size_t slice, PGresult *orig)
{
	PGresult *res = NULL;
	size_t at = slice;
	int err, line = r->items[slice].line, col = r->items[slice].col;

	exec_simple(r, "ROLLBACK");
	if (exec_simple(r, "BEGIN") == 0 && run_items(r, r->first, slice, 0, &at, &res) == 0 &&
	    run_items(r, slice, r->last, 1, &at, &res) == -1 && res) {
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);

		line = r->items[at].line;
		col = r->items[at].col;
		if (pos)
			map_position(r, r->items[at].start, pos, &line, &col);
	}
	/* The first run's message: the replay only found the place. */
	err = devenv_pg_result_error(orig, r->conn, r->file, line, col);
	PQclear(res);
	return err;
}

int
devenv_sql_run_file(struct devenv_ctx *ctx, struct pg_conn *conn, const char *path)
{
	struct runner r = { .ctx = ctx, .conn = conn, .file = devenv_path_display(ctx, path) };
	PGresult *failed = NULL;
	size_t at = 0;
	int err;

	if (!conn)
		return devenv_error_code() ? devenv_error_code() : DEVENV_EFAIL;
	if ((err = devenv_read_file(&r.buf, &r.len, path, r.file)))
		goto out;
	if ((err = lex_all(&r)) || (err = strip_wrapper(&r)))
		goto out;
	if ((err = exec_simple(&r, "BEGIN")))
		goto out;
	err = run_items(&r, r.first, r.last, 0, &at, &failed);
	if (err == -1 && devenv_cancelled(ctx))
		err = devenv_error_set(DEVENV_ECANCELLED, "%s: cancelled", r.file);
	if (err == -1) {
		const char *pos = PQresultErrorField(failed, PG_DIAG_STATEMENT_POSITION);
		int line, col;

		if (pos) {
			map_position(&r, r.items[at].start, pos, &line, &col);
			err = devenv_pg_result_error(failed, conn, r.file, line, col);
		} else {
			err = locate_failure(&r, at, failed);
		}
	}
	/* Interrupted: roll back rather than commit what ran so far. */
	if (!err && devenv_cancelled(ctx))
		err = devenv_error_set(DEVENV_ECANCELLED, "%s: cancelled", r.file);
	if (err) {
		int code = devenv_error_code();
		char msg[4096];

		/* ROLLBACK must not overwrite the error being reported. */
		snprintf(msg, sizeof(msg), "%s", devenv_error_last());
		exec_simple(&r, "ROLLBACK");
		devenv_error_set(code, "%s", msg);
		err = code;
		goto out;
	}
	err = exec_simple(&r, "COMMIT");
	/* Settings a file made for its session (pg_dump's search_path) must not
	 * leak into the next file. */
	if (!err)
		err = exec_simple(&r, "RESET ALL");
	devenv_progress(ctx, r.len, r.len);
out:
	PQclear(failed);
	free(r.items);
	free(r.buf);
	return err;
}
