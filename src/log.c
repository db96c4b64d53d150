/* log.c: every line devenv prints goes through here, secrets masked. */
#include "core.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct devenv_log_opts opts;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Registered secrets, longest first so that one secret inside another is
 * masked whole. Appended under out_lock, never removed during a run. */
static char **secrets;
static size_t nsecrets;

void
devenv_log_setup(const struct devenv_log_opts *o)
{
	opts = *o;
}

const struct devenv_log_opts *
devenv_log_opts(void)
{
	return &opts;
}

void
devenv_secret_add(const char *secret)
{
	size_t i;

	/* Masking a one- or two-letter password would mangle every line. */
	if (!secret || strlen(secret) < 3)
		return;
	pthread_mutex_lock(&out_lock);
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], secret) == 0)
			goto out;
	secrets = xrealloc(secrets, (nsecrets + 1) * sizeof(*secrets));
	for (i = nsecrets; i > 0 && strlen(secrets[i - 1]) < strlen(secret); i--)
		secrets[i] = secrets[i - 1];
	secrets[i] = xstrdup(secret);
	nsecrets++;
out:
	pthread_mutex_unlock(&out_lock);
}

void
devenv_secret_clear(void)
{
	pthread_mutex_lock(&out_lock);
	for (size_t i = 0; i < nsecrets; i++)
		free(secrets[i]);
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
	pthread_mutex_unlock(&out_lock);
}

/* Finds the password of "scheme://user:PASSWORD@host": its start and length. */
static int
url_password(const char *url, const char **pw, size_t *len)
{
	const char *p = strstr(url, "://"), *at, *colon;

	if (!p)
		return 0;
	p += 3;
	at = p + strcspn(p, "@/?#");
	if (*at != '@')
		return 0;
	colon = memchr(p, ':', (size_t)(at - p));
	if (!colon)
		return 0;
	*pw = colon + 1;
	*len = (size_t)(at - colon - 1);
	return 1;
}

void
devenv_secret_add_url(const char *url)
{
	const char *pw;
	size_t len;
	char *s;

	if (!url || !url_password(url, &pw, &len) || len == 0)
		return;
	s = xstrndup(pw, len);
	devenv_secret_add(s);
	free(s);
}

void
devenv_url_display(char *out, size_t n, const char *url)
{
	const char *pw;
	size_t len;

	if (url_password(url, &pw, &len) && len > 0)
		snprintf(out, n, "%.*s***%s", (int)(pw - url), url, pw + len);
	else
		snprintf(out, n, "%s", url);
}

/* Redaction without taking the lock: callers hold out_lock. */
static void
redact_locked(char *out, size_t n, const char *in)
{
	size_t o = 0;

	if (n == 0)
		return;
	while (*in && o + 1 < n) {
		size_t i, len = 0;

		for (i = 0; i < nsecrets; i++) {
			len = strlen(secrets[i]);
			if (strncmp(in, secrets[i], len) == 0)
				break;
		}
		if (i < nsecrets) {
			for (const char *m = "***"; *m && o + 1 < n; m++)
				out[o++] = *m;
			in += len;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

void
devenv_redact(char *out, size_t n, const char *in)
{
	pthread_mutex_lock(&out_lock);
	redact_locked(out, n, in);
	pthread_mutex_unlock(&out_lock);
}

static const char *const level_name[] = { "error: ", "warning: ", "", "" };
static const char *const level_color[] = { "\033[31m", "\033[33m", "", "\033[2m" };

void
devenv_logv(const char *prefix, enum devenv_level level, const char *fmt, va_list ap)
{
	char raw[8192], clean[8192];

	if (level == DEVENV_LOG_DEBUG && !opts.verbose)
		return;
	if (level >= DEVENV_LOG_INFO && opts.quiet)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	pthread_mutex_lock(&out_lock);
	redact_locked(clean, sizeof(clean), raw);
	/* Core errors already read "devenv: FILE:LINE: message". */
	fprintf(stderr, "%s%s: %s%s%s\n", opts.color ? level_color[level] : "",
	        prefix ? prefix : "devenv", prefix ? level_name[level] : "", clean,
	        opts.color && *level_color[level] ? "\033[0m" : "");
	pthread_mutex_unlock(&out_lock);
}

void
devenv_logf(const char *prefix, enum devenv_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	devenv_logv(prefix, level, fmt, ap);
	va_end(ap);
}

void
devenv_printf(const char *fmt, ...)
{
	char small[4096], *raw = small, *clean;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		raw = xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(raw, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	/* Secrets are at least three characters: masking never lengthens. */
	clean = xmalloc((size_t)n + 1);
	pthread_mutex_lock(&out_lock);
	redact_locked(clean, (size_t)n + 1, raw);
	fputs(clean, stdout);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
	free(clean);
	if (raw != small)
		free(raw);
}
