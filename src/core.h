/*
 * core.h: what the core's modules share. Plugins see include/devenv/plugin.h
 * only; nothing here is part of the ABI.
 */
#ifndef DEVENV_CORE_H
#define DEVENV_CORE_H

#include <devenv/plugin.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --- error.c ------------------------------------------------------------ */

/* The exit code of DESIGN §2 for an error code (0 for DEVENV_OK). */
int devenv_error_exit_code(int code);
/* The code of this thread's last error (DEVENV_OK when none). */
int devenv_error_code(void);
void devenv_error_clear(void);
/* Prints this thread's last error as `devenv: message` on stderr. */
void devenv_error_print(void);
int devenv_error_vset(int code, const char *file, int line, int col, const char *fmt, va_list ap);

/* --- log.c ------------------------------------------------------------- */

struct devenv_log_opts {
	int quiet;   /* -q: errors only */
	int verbose; /* -v: debug lines too */
	int color;   /* colour on stderr/stdout (tty and no NO_COLOR) */
};

void devenv_log_setup(const struct devenv_log_opts *opts);
const struct devenv_log_opts *devenv_log_opts(void);
/* A line on stderr at 'level', prefixed with 'prefix' (may be NULL). */
void devenv_logv(const char *prefix, enum devenv_level level, const char *fmt, va_list ap);
void devenv_logf(const char *prefix, enum devenv_level level, const char *fmt, ...)
        DEVENV_PRINTF(3, 4);
/* A line on stdout, secrets masked. */
void devenv_printf(const char *fmt, ...) DEVENV_PRINTF(1, 2);
/* Copies 'in' to 'out' (size n) with every registered secret replaced by ***. */
void devenv_redact(char *out, size_t n, const char *in);
/* Registers the password of a URL (user:PASSWORD@) as a secret. */
void devenv_secret_add_url(const char *url);
/* Writes 'url' with its password shown as ***. */
void devenv_url_display(char *out, size_t n, const char *url);
/* Frees the secret table (at exit, for leak checkers). */
void devenv_secret_clear(void);

/* --- util.c ------------------------------------------------------------- */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) DEVENV_PRINTF(1, 2);
/* Splits 's' on white space into a NULL-terminated array (one allocation,
 * free() it whole). */
char **devenv_split_words(const char *s);
/* Reads a whole file; NUL-terminated, length in '*len'. Errors name it as
 * 'shown' (the path the user wrote; NULL: 'path'). */
int devenv_read_file(char **out, size_t *len, const char *path, const char *shown);
/* The pid a pid file names while that process lives; else 0. */
long devenv_pid_file_live(const char *path);
int64_t devenv_now_ms(void);
void devenv_sleep_ms(int ms);
/* devenv_utf8_valid() is in plugin.h. */

/* The line and column (characters, 1-based) of byte 'off' of 'buf' (a NUL
 * before it ends the count). */
void devenv_text_position(const char *buf, size_t off, int *line, int *col);

/* Joins 'dir' and 'rel' unless 'rel' is absolute. */
char *devenv_path_join(const char *dir, const char *rel);

#endif
