/* sql_lex.h: splits a SQL file as psql would: statements at top-level ';',
 * COPY ... FROM stdin data up to its "\." line, and psql meta-commands. */
#ifndef DEVENV_SQL_LEX_H
#define DEVENV_SQL_LEX_H

#include <stddef.h>

enum devenv_sql_kind {
	DEVENV_SQL_END,
	DEVENV_SQL_STATEMENT, /* [start, end) includes the ';' when there is one */
	DEVENV_SQL_COPY_DATA, /* the rows after a COPY ... FROM stdin, without "\." */
	DEVENV_SQL_META,      /* a backslash command, to the end of its line */
};

struct devenv_sql_item {
	enum devenv_sql_kind kind;
	size_t start, end; /* byte offsets into the buffer */
	int line, col;     /* where it starts, 1-based (col in characters) */
	int copy_in;       /* STATEMENT: COPY ... FROM STDIN, data follows */
};

struct devenv_sql_lexer {
	const char *buf;
	size_t len, pos;
	int line;          /* the line at 'pos' */
	size_t line_start; /* offset of that line's first byte */
	int copy_pending;  /* the last statement was COPY FROM STDIN */
	size_t copy_start; /* where that statement began */
	const char *file;  /* for errors */
	int nul_checked;
};

void devenv_sql_lexer_init(struct devenv_sql_lexer *lx, const char *buf, size_t len,
                           const char *file);

/* The next item into '*it' (DEVENV_SQL_END at the end). Statements holding
 * only comments are skipped. Returns 0, or DEVENV_EDATA for an unterminated
 * quote, dollar quote, identifier, comment or COPY block, naming where it
 * began. */
int devenv_sql_next(struct devenv_sql_lexer *lx, struct devenv_sql_item *it);

/* The first keyword of the statement [start, end), upper-cased into 'out'
 * ("" when none). */
void devenv_sql_first_word(const char *buf, size_t start, size_t end, char *out, size_t n);

#endif
