/* error.c: one error slot per thread, and the one table of exit codes. */
#include "core.h"

#include <stdio.h>
#include <string.h>

static _Thread_local struct {
	int code;
	char msg[4096];
} last;

static const struct {
	int code;
	int exit;
} exit_codes[] = {
	{ DEVENV_OK, 0 },        { DEVENV_EFAIL, 1 },         { DEVENV_EUSAGE, 64 },
	{ DEVENV_EDATA, 65 },    { DEVENV_EUNAVAILABLE, 69 }, { DEVENV_ELOCKED, 75 },
	{ DEVENV_EREFUSED, 77 }, { DEVENV_ECONFIG, 78 },      { DEVENV_ECANCELLED, 130 },
};

int
devenv_error_exit_code(int code)
{
	for (size_t i = 0; i < ARRAY_SIZE(exit_codes); i++)
		if (exit_codes[i].code == code)
			return exit_codes[i].exit;
	return 1;
}

int
devenv_error_vset(int code, const char *file, int line, int col, const char *fmt, va_list ap)
{
	char where[1024] = "";
	char msg[1536];

	if (file && line > 0 && col > 0)
		snprintf(where, sizeof(where), "%s:%d:%d: ", file, line, col);
	else if (file && line > 0)
		snprintf(where, sizeof(where), "%s:%d: ", file, line);
	else if (file)
		snprintf(where, sizeof(where), "%s: ", file);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	last.code = code;
	snprintf(last.msg, sizeof(last.msg), "%s%s", where, msg);
	return code;
}

int
devenv_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	devenv_error_vset(code, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

int
devenv_error_set_at(int code, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	devenv_error_vset(code, file, line, col, fmt, ap);
	va_end(ap);
	return code;
}

const char *
devenv_error_last(void)
{
	return last.msg;
}

int
devenv_error_code(void)
{
	return last.code;
}

void
devenv_error_clear(void)
{
	last.code = DEVENV_OK;
	last.msg[0] = '\0';
}

void
devenv_error_print(void)
{
	devenv_logf(NULL, DEVENV_LOG_ERROR, "%s", last.msg[0] ? last.msg : "unknown error");
}
