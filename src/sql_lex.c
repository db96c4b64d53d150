/*
 * sql_lex.c: the SQL lexer. It knows just enough of the language to find
 * statement ends as psql does: single quotes (with E'' backslash escapes),
 * double-quoted identifiers, dollar quotes, -- and nested block comments,
 * parentheses; a ';' inside any of them never splits a statement.
 */
#include "sql_lex.h"
#include "core.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

void
devenv_sql_lexer_init(struct devenv_sql_lexer *lx, const char *buf, size_t len, const char *file)
{
	memset(lx, 0, sizeof(*lx));
	lx->buf = buf;
	lx->len = len;
	lx->line = 1;
	lx->file = file;
}

static int
ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Advances to 'to', keeping the line count. */
static void
advance(struct devenv_sql_lexer *lx, size_t to)
{
	for (; lx->pos < to && lx->pos < lx->len; lx->pos++)
		if (lx->buf[lx->pos] == '\n') {
			lx->line++;
			lx->line_start = lx->pos + 1;
		}
}

static int
unterminated(struct devenv_sql_lexer *lx, size_t at, const char *what)
{
	int line, col;

	devenv_text_position(lx->buf, at, &line, &col);
	return devenv_error_set_at(DEVENV_EDATA, lx->file, line, col, "unterminated %s", what);
}

/* The length of a dollar-quote tag ("$tag$" or "$$") at 'p', or 0. */
static size_t
dollar_tag(const char *p, const char *end)
{
	const char *q = p + 1;

	if (q < end && (isdigit((unsigned char)*q)))
		return 0;
	while (q < end && (isalnum((unsigned char)*q) || *q == '_' || (unsigned char)*q >= 0x80))
		q++;
	return q < end && *q == '$' ? (size_t)(q - p + 1) : 0;
}

/* Skips a quoted construct starting at lx->pos; returns 0 or the error. */
static int
skip_quoted(struct devenv_sql_lexer *lx, int estring)
{
	const char *b = lx->buf;
	size_t start = lx->pos, i = lx->pos + 1;
	char q = b[start];

	for (; i < lx->len; i++) {
		if (estring && b[i] == '\\' && i + 1 < lx->len) {
			i++;
			continue;
		}
		if (b[i] == q) {
			if (i + 1 < lx->len && b[i + 1] == q) {
				i++;
				continue;
			}
			advance(lx, i + 1);
			return 0;
		}
	}
	return unterminated(lx, start, q == '"' ? "quoted identifier" : "quoted string");
}

static int
skip_dollar(struct devenv_sql_lexer *lx, size_t taglen)
{
	const char *b = lx->buf, *tag = b + lx->pos;
	size_t start = lx->pos;

	for (size_t i = start + taglen; i + taglen <= lx->len; i++)
		if (b[i] == '$' && memcmp(b + i, tag, taglen) == 0) {
			advance(lx, i + taglen);
			return 0;
		}
	return unterminated(lx, start, "dollar-quoted string");
}

static int
skip_block_comment(struct devenv_sql_lexer *lx)
{
	const char *b = lx->buf;
	size_t start = lx->pos, i = lx->pos + 2;
	int depth = 1;

	while (i + 1 < lx->len + 1 && i < lx->len) {
		if (b[i] == '/' && i + 1 < lx->len && b[i + 1] == '*') {
			depth++;
			i += 2;
		} else if (b[i] == '*' && i + 1 < lx->len && b[i + 1] == '/') {
			i += 2;
			if (--depth == 0) {
				advance(lx, i);
				return 0;
			}
		} else {
			i++;
		}
	}
	return unterminated(lx, start, "/* comment");
}

static size_t
line_end(const struct devenv_sql_lexer *lx, size_t from)
{
	const char *nl = memchr(lx->buf + from, '\n', lx->len - from);

	return nl ? (size_t)(nl - lx->buf) : lx->len;
}

/* Whether [start, end) is COPY ... FROM STDIN. */
static int
is_copy_from_stdin(const char *b, size_t start, size_t end)
{
	char word[16], prev[16] = "";
	size_t i = start;
	int first = 1;

	while (i < end) {
		if (b[i] == '\'' || b[i] == '"') {
			char q = b[i++];

			while (i < end && b[i] != q)
				i++;
			i++;
			prev[0] = '\0';
		} else if (b[i] == '-' && i + 1 < end && b[i + 1] == '-') {
			while (i < end && b[i] != '\n')
				i++;
		} else if (b[i] == '/' && i + 1 < end && b[i + 1] == '*') {
			/* Bounded: the statement may be a slice of a larger buffer. */
			const char *e =
			        i + 2 < end ? memmem(b + i + 2, end - i - 2, "*/", 2) : NULL;

			i = e ? (size_t)(e - b) + 2 : end;
		} else if (isalpha((unsigned char)b[i]) || b[i] == '_') {
			size_t n = 0;

			while (i < end && ident_char((unsigned char)b[i])) {
				if (n + 1 < sizeof(word))
					word[n++] = (char)toupper((unsigned char)b[i]);
				i++;
			}
			word[n] = '\0';
			if (first && strcmp(word, "COPY") != 0)
				return 0;
			first = 0;
			if (strcmp(prev, "FROM") == 0 && strcmp(word, "STDIN") == 0)
				return 1;
			memcpy(prev, word, sizeof(prev));
		} else {
			if (!isspace((unsigned char)b[i]))
				prev[0] = '\0';
			i++;
		}
	}
	return 0;
}

void
devenv_sql_first_word(const char *buf, size_t start, size_t end, char *out, size_t n)
{
	size_t i = start, k = 0;

	/* Statements start at their first token: no comment to skip. */
	while (i < end && isspace((unsigned char)buf[i]))
		i++;
	while (i < end && isalpha((unsigned char)buf[i]) && k + 1 < n)
		out[k++] = (char)toupper((unsigned char)buf[i++]);
	out[k] = '\0';
}

/* The COPY rows after the statement: up to a line holding just "\.". */
static int
copy_data(struct devenv_sql_lexer *lx, struct devenv_sql_item *it, size_t copy_at)
{
	size_t i = lx->pos;

	/* The rows start on the line after the COPY statement's ';'. */
	i = line_end(lx, i);
	i = i < lx->len ? i + 1 : i;
	advance(lx, i);
	it->kind = DEVENV_SQL_COPY_DATA;
	it->start = i;
	it->line = lx->line;
	it->col = 1;
	while (i < lx->len) {
		size_t e = line_end(lx, i), n = e - i;

		if ((n == 2 && memcmp(lx->buf + i, "\\.", 2) == 0) ||
		    (n == 3 && memcmp(lx->buf + i, "\\.\r", 3) == 0)) {
			it->end = i;
			advance(lx, e < lx->len ? e + 1 : e);
			return 0;
		}
		i = e < lx->len ? e + 1 : e;
	}
	{
		int line, col;

		devenv_text_position(lx->buf, copy_at, &line, &col);
		return devenv_error_set_at(DEVENV_EDATA, lx->file, line, col,
		                           "COPY data has no terminating \\. line");
	}
}

int
devenv_sql_next(struct devenv_sql_lexer *lx, struct devenv_sql_item *it)
{
	const char *b = lx->buf;
	size_t start = (size_t)-1;
	int depth = 0, err, estring, words = 0, begin_depth = 0;

	memset(it, 0, sizeof(*it));
	/* A NUL would end the text libpq sends: what follows would be skipped
	 * without a word. No SQL file or COPY row holds one. */
	if (!lx->nul_checked) {
		const char *nul = memchr(b, '\0', lx->len);

		lx->nul_checked = 1;
		if (nul) {
			int line, col;

			devenv_text_position(b, (size_t)(nul - b), &line, &col);
			return devenv_error_set_at(DEVENV_EDATA, lx->file, line, col,
			                           "NUL byte in the file");
		}
	}
	if (lx->copy_pending) {
		lx->copy_pending = 0;
		return copy_data(lx, it, lx->copy_start);
	}
	while (lx->pos < lx->len) {
		char c = b[lx->pos];
		size_t tag;

		if (isspace((unsigned char)c)) {
			advance(lx, lx->pos + 1);
			continue;
		}
		if (c == '-' && lx->pos + 1 < lx->len && b[lx->pos + 1] == '-') {
			advance(lx, line_end(lx, lx->pos));
			continue;
		}
		if (c == '/' && lx->pos + 1 < lx->len && b[lx->pos + 1] == '*') {
			if ((err = skip_block_comment(lx)))
				return err;
			continue;
		}
		if (c == '\\') {
			if (start != (size_t)-1) {
				/* psql would run it mid-statement: not ours to guess. */
				int line, col;

				devenv_text_position(b, lx->pos, &line, &col);
				return devenv_error_set_at(DEVENV_EDATA, lx->file, line, col,
				                           "psql meta-command '%.*s' inside a "
				                           "statement is not supported",
				                           (int)(line_end(lx, lx->pos) - lx->pos),
				                           b + lx->pos);
			}
			it->kind = DEVENV_SQL_META;
			it->start = lx->pos;
			it->end = line_end(lx, lx->pos);
			devenv_text_position(b, lx->pos, &it->line, &it->col);
			advance(lx, it->end);
			return 0;
		}
		if (c == ';' && start == (size_t)-1) {
			advance(lx, lx->pos + 1); /* an empty statement */
			continue;
		}
		if (start == (size_t)-1) {
			start = lx->pos;
			it->line = lx->line;
			devenv_text_position(b + lx->line_start, lx->pos - lx->line_start,
			                     &(int){ 0 }, &it->col);
		}
		estring = (c == '\'' && lx->pos > 0 &&
		           (b[lx->pos - 1] == 'E' || b[lx->pos - 1] == 'e') &&
		           (lx->pos < 2 || !ident_char((unsigned char)b[lx->pos - 2])));
		if (c == '\'' || c == '"') {
			if ((err = skip_quoted(lx, estring)))
				return err;
			continue;
		}
		if (c == '$' && (lx->pos == 0 || !ident_char((unsigned char)b[lx->pos - 1])) &&
		    (tag = dollar_tag(b + lx->pos, b + lx->len))) {
			if ((err = skip_dollar(lx, tag)))
				return err;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		/* psql's rule: a ';' inside parentheses, or inside a BEGIN (ATOMIC)
		 * or CASE that is not the statement's first word, does not end it. */
		if (c == ';' && depth == 0 && begin_depth == 0) {
			advance(lx, lx->pos + 1);
			it->kind = DEVENV_SQL_STATEMENT;
			it->start = start;
			it->end = lx->pos;
			it->copy_in = is_copy_from_stdin(b, start, it->end);
			lx->copy_pending = it->copy_in;
			lx->copy_start = start;
			return 0;
		}
		/* An identifier or keyword whole, so "E" before a quote is seen. */
		if (ident_char((unsigned char)c) && c != '$') {
			size_t i = lx->pos, n;

			while (i < lx->len && ident_char((unsigned char)b[i]) && b[i] != '$')
				i++;
			n = i - lx->pos;
			words++;
			if ((n == 5 && strncasecmp(b + lx->pos, "begin", 5) == 0) ||
			    (n == 4 && strncasecmp(b + lx->pos, "case", 4) == 0)) {
				if (words > 1)
					begin_depth++;
			} else if (n == 3 && strncasecmp(b + lx->pos, "end", 3) == 0 &&
			           begin_depth > 0) {
				begin_depth--;
			}
			advance(lx, i == lx->pos ? i + 1 : i);
			continue;
		}
		advance(lx, lx->pos + 1);
	}
	if (start != (size_t)-1) {
		/* A last statement without ';' runs too, as in psql. */
		it->kind = DEVENV_SQL_STATEMENT;
		it->start = start;
		it->end = lx->len;
		it->copy_in = is_copy_from_stdin(b, start, it->end);
		lx->copy_pending = it->copy_in;
		lx->copy_start = start;
		return 0;
	}
	it->kind = DEVENV_SQL_END;
	return 0;
}
