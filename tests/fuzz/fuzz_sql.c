/*
 * fuzz_sql.c: the SQL lexer (src/sql_lex.c) on arbitrary bytes. The input
 * is handed over as libFuzzer gives it, 'len' bytes with no NUL after them,
 * so a read past 'len' is an ASan report. Every item is checked against
 * the lexer's promises; a broken one is __builtin_trap().
 *
 * NUL bytes: sql.c sends statements (slices of the file, the text between
 * them included) as C strings, so a NUL silently cuts off the rest of the
 * slice (COPY rows are sent with their length). A file the lexer
 * accepts must hold no NUL outside COPY data (tests/fuzz/crashes/
 * sql-nul-byte). If that check moves to sql.c instead of the lexer, skip
 * inputs holding a NUL here.
 */
#include "core.h"
#include "sql_lex.h"
#include "fuzz.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct devenv_sql_lexer lx;
	struct devenv_sql_item it;
	size_t prev_end = 0, items = 0;
	int prev_line = 1, prev_copy = 0;
	/* devenv_text_position() stops counting at a NUL byte (which COPY
	 * data may hold): positions are compared only before the first. */
	const char *nul = memchr(buf, '\0', size);
	size_t clean = nul ? (size_t)(nul - buf) : size;
	size_t nuls = 0, nuls_in_copy = 0;

	for (const char *p = nul; p; p = memchr(p + 1, '\0', size - (size_t)(p + 1 - buf)))
		nuls++;

	devenv_error_clear();
	devenv_sql_lexer_init(&lx, buf, size, "f.sql");
	for (;;) {
		int err = devenv_sql_next(&lx, &it);

		if (err) {
			CHECK(err == DEVENV_EDATA);
			CHECK(strncmp(devenv_error_last(), "f.sql:", 6) == 0);
			break;
		}
		if (it.kind == DEVENV_SQL_END) {
			CHECK(nuls == nuls_in_copy); /* see the NUL note above */
			break;
		}
		CHECK(it.kind == DEVENV_SQL_STATEMENT || it.kind == DEVENV_SQL_META ||
		      it.kind == DEVENV_SQL_COPY_DATA);
		CHECK(it.start <= it.end && it.end <= size);
		CHECK(it.start >= prev_end); /* items advance, never overlap */
		CHECK(it.line >= 1 && it.col >= 1);
		CHECK(it.line >= prev_line || it.start >= clean);
		CHECK(lx.pos >= it.end && lx.pos <= size);
		/* COPY data follows exactly the statements that announce it. */
		CHECK((it.kind == DEVENV_SQL_COPY_DATA) == prev_copy);
		switch (it.kind) {
		case DEVENV_SQL_STATEMENT: {
			char word[32];

			CHECK(it.end > it.start);
			/* A statement starts at its first token. */
			CHECK(!isspace((unsigned char)buf[it.start]) && buf[it.start] != ';');
			devenv_sql_first_word(buf, it.start, it.end, word, sizeof(word));
			CHECK(strlen(word) < sizeof(word));
			/* COPY FROM STDIN starts with COPY (the COPY test skips a
			 * leading non-word like "(" or "[": invalid SQL either way). */
			CHECK(!it.copy_in || !word[0] || strcmp(word, "COPY") == 0);
			break;
		}
		case DEVENV_SQL_META:
			CHECK(buf[it.start] == '\\');
			CHECK(!memchr(buf + it.start, '\n', it.end - it.start));
			CHECK(it.copy_in == 0);
			break;
		case DEVENV_SQL_COPY_DATA:
			for (size_t k = it.start; k < it.end; k++)
				nuls_in_copy += buf[k] == '\0';
			CHECK(it.col == 1);
			CHECK(it.start == 0 || buf[it.start - 1] == '\n');
			CHECK(it.copy_in == 0);
			break;
		default:
			break;
		}
		if (it.kind != DEVENV_SQL_COPY_DATA && it.start < clean) {
			int line, col;

			devenv_text_position(buf, it.start, &line, &col);
			CHECK(line == it.line && col == it.col);
		}
		prev_copy = it.kind == DEVENV_SQL_STATEMENT && it.copy_in;
		prev_end = it.end;
		prev_line = it.line;
		/* Every item holds at least one byte or is followed by one it
		 * consumed, so there are never more items than bytes + 1. */
		CHECK(++items <= size + 1);
	}
	return 0;
}
