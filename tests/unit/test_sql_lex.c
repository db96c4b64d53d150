/* Unit tests of src/sql_lex.c: every lexical form that may hide a ';'. */
#include "check.h"
#include "core.h"
#include "sql_lex.h"

#include <stdlib.h>

/* Splits 'sql' and returns the items as "KIND@LINE:COL[text]|..." */
static char *
split(const char *sql, int *err)
{
	struct devenv_sql_lexer lx;
	struct devenv_sql_item it;
	char *out = xstrdup("");

	devenv_error_clear();
	devenv_sql_lexer_init(&lx, sql, strlen(sql), "f.sql");
	for (;;) {
		char *t;

		*err = devenv_sql_next(&lx, &it);
		if (*err || it.kind == DEVENV_SQL_END)
			break;
		t = xasprintf("%s%s@%d:%d[%.*s]|", out,
		              it.kind == DEVENV_SQL_STATEMENT ? (it.copy_in ? "COPY" : "S")
		              : it.kind == DEVENV_SQL_META    ? "META"
		                                              : "DATA",
		              it.line, it.col, (int)(it.end - it.start), sql + it.start);
		free(out);
		out = t;
	}
	return out;
}

#define SPLITS(sql, want)                                                                          \
	do {                                                                                       \
		int err_;                                                                          \
		char *got_ = split(sql, &err_);                                                    \
		CHECK_INT(err_, 0);                                                                \
		CHECK_STR(got_, want);                                                             \
		free(got_);                                                                        \
	} while (0)

#define FAILS(sql, msg)                                                                            \
	do {                                                                                       \
		int err_;                                                                          \
		free(split(sql, &err_));                                                           \
		CHECK_INT(err_, DEVENV_EDATA);                                                     \
		CHECK_HAS(devenv_error_last(), msg);                                               \
	} while (0)

static void
test_plain(void)
{
	SPLITS("select 1; select 2;", "S@1:1[select 1;]|S@1:11[select 2;]|");
	SPLITS("\n\n  insert into t values (1);\n", "S@3:3[insert into t values (1);]|");
	/* The last statement needs no ';'. */
	SPLITS("select 1;\nselect 2", "S@1:1[select 1;]|S@2:1[select 2]|");
	/* Empty statements and comment-only files give nothing. */
	SPLITS(";;  ; -- only a comment\n/* and this */", "");
	SPLITS("", "");
}

static void
test_semicolons_hidden(void)
{
	SPLITS("select 'a;b';", "S@1:1[select 'a;b';]|");
	SPLITS("select 'it''s; fine';", "S@1:1[select 'it''s; fine';]|");
	SPLITS("select E'\\'; still';", "S@1:1[select E'\\'; still';]|");
	SPLITS("select e'a\\\\';select 2;", "S@1:1[select e'a\\\\';]|S@1:15[select 2;]|");
	/* Outside an E string a backslash is just a character. */
	SPLITS("select 'a\\';select 2;", "S@1:1[select 'a\\';]|S@1:13[select 2;]|");
	SPLITS("select \"a;\"\"b\" from t;", "S@1:1[select \"a;\"\"b\" from t;]|");
	SPLITS("create function f() returns int as $$ select 1; $$ language sql;",
	       "S@1:1[create function f() returns int as $$ select 1; $$ language sql;]|");
	SPLITS("select $fn$ a $$ ; $ b $fn$;", "S@1:1[select $fn$ a $$ ; $ b $fn$;]|");
	SPLITS("select 1 -- a; comment\n;", "S@1:1[select 1 -- a; comment\n;]|");
	SPLITS("select /* a; /* nested; */ still; */ 1;",
	       "S@1:1[select /* a; /* nested; */ still; */ 1;]|");
	/* Parameters and identifiers with '$' are not dollar quotes. */
	SPLITS("select $1, a$b; select 2;", "S@1:1[select $1, a$b;]|S@1:17[select 2;]|");
	/* A rule's parenthesised actions are one statement, as in psql. */
	SPLITS("create rule r as on insert to t do also (insert into a values (1); insert into b "
	       "values (2));",
	       "S@1:1[create rule r as on insert to t do also (insert into a values (1); insert "
	       "into b values (2));]|");
}

static void
test_begin_atomic(void)
{
	/* SQL-standard function bodies (pg_dump writes them) and CASE ... END. */
	SPLITS("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; "
	       "select 3;",
	       "S@1:1[CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT "
	       "2; "
	       "END;]|S@1:84[select 3;]|");
	SPLITS("select case when true then 1 else 2 end; select 4;",
	       "S@1:1[select case when true then 1 else 2 end;]|S@1:42[select 4;]|");
	/* A transaction's BEGIN is the first word: it nests nothing. */
	SPLITS("BEGIN; select 1; END;", "S@1:1[BEGIN;]|S@1:8[select 1;]|S@1:18[END;]|");
}

static void
test_columns_in_characters(void)
{
	/* "é" is two bytes, one character. */
	SPLITS("select 'é'; select 2;", "S@1:1[select 'é';]|S@1:13[select 2;]|");
}

static void
test_copy(void)
{
	SPLITS("COPY public.users (a, b) FROM stdin;\n1\tx\n2\ty;z\n\\.\nselect 1;\n",
	       "COPY@1:1[COPY public.users (a, b) FROM stdin;]|DATA@2:1[1\tx\n2\ty;z\n]|"
	       "S@5:1[select 1;]|");
	/* Empty data, CRLF terminator. */
	SPLITS("copy t from STDIN;\r\n\\.\r\n", "COPY@1:1[copy t from STDIN;]|DATA@2:1[]|");
	/* COPY to a file or from a program is an ordinary statement. */
	SPLITS("copy t to stdout; copy t from '/tmp/x';",
	       "S@1:1[copy t to stdout;]|S@1:19[copy t from '/tmp/x';]|");
	FAILS("select 1;\nCOPY t FROM stdin;\n1\n2\n",
	      "f.sql:2:1: COPY data has no terminating \\. line");
}

static void
test_meta(void)
{
	SPLITS("\\set ON_ERROR_STOP on\nselect 1;",
	       "META@1:1[\\set ON_ERROR_STOP on]|S@2:1[select 1;]|");
	FAILS("select 1 \\gset\n", "f.sql:1:10: psql meta-command '\\gset' inside a statement");
}

static void
test_unterminated(void)
{
	FAILS("select 1;\nselect 'abc;\n", "f.sql:2:8: unterminated quoted string");
	FAILS("select \"abc;\n", "f.sql:1:8: unterminated quoted identifier");
	FAILS("select 1;\n\n  select $x$ abc $y$;\n",
	      "f.sql:3:10: unterminated dollar-quoted string");
	FAILS("/* a /* b */ select 1;\n", "f.sql:1:1: unterminated /* comment");
	FAILS("select E'\\';", "f.sql:1:9: unterminated quoted string");
}

static void
test_first_word(void)
{
	char w[16];
	const char *s = "  begin transaction;";

	devenv_sql_first_word(s, 0, strlen(s), w, sizeof(w));
	CHECK_STR(w, "BEGIN");
	devenv_sql_first_word("Commit;", 0, 7, w, sizeof(w));
	CHECK_STR(w, "COMMIT");
}

int
main(void)
{
	RUN(test_plain);
	RUN(test_semicolons_hidden);
	RUN(test_begin_atomic);
	RUN(test_columns_in_characters);
	RUN(test_copy);
	RUN(test_meta);
	RUN(test_unterminated);
	RUN(test_first_word);
	return check_done();
}
