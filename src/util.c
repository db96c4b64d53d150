/* util.c: allocation that cannot fail silently, files, time. */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
oom(void)
{
	fputs("devenv: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

char **
devenv_split_words(const char *s)
{
	static const char ws[] = " \t\r\n";
	size_t n = 0, len = s ? strlen(s) : 0;
	const char *p;
	char **v, *buf;

	for (p = s; p && *(p += strspn(p, ws)); p += strcspn(p, ws))
		n++;
	v = xmalloc((n + 1) * sizeof(*v) + len + 1);
	buf = (char *)(v + n + 1);
	n = 0;
	for (p = s; p && *(p += strspn(p, ws));) {
		size_t w = strcspn(p, ws);

		memcpy(buf, p, w);
		buf[w] = '\0';
		v[n++] = buf;
		buf += w + 1;
		p += w;
	}
	v[n] = NULL;
	return v;
}

int
devenv_read_file(char **out, size_t *len, const char *path, const char *shown)
{
	struct stat st;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int fd, err = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return devenv_error_set_at(DEVENV_EDATA, shown ? shown : path, 0, 0,
		                           "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		err = devenv_error_set_at(DEVENV_EDATA, shown ? shown : path, 0, 0,
		                          "is a directory, not a file");
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : (st.st_size > 0 ? (size_t)st.st_size + 2 : 4096);
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = devenv_error_set_at(DEVENV_EDATA, shown ? shown : path, 0, 0,
			                          "cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
	if (len)
		*len = n;
out:
	free(buf);
	close(fd);
	return err;
}

long
devenv_pid_file_live(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");
	long pid;

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	pid = strtol(buf, NULL, 10);
	return pid > 0 && kill((pid_t)pid, 0) == 0 ? pid : 0;
}

int64_t
devenv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
devenv_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

char *
devenv_path_join(const char *dir, const char *rel)
{
	size_t n = strlen(dir);

	if (rel[0] == '/')
		return xstrdup(rel);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (rel[0] == '.' && rel[1] == '\0')
		return xstrndup(dir, n);
	if (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	return xasprintf("%.*s/%s", (int)n, dir, rel);
}

int
devenv_utf8_valid(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;

	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len;
		unsigned char lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		/* The second byte's range rules out overlong forms, surrogates
		 * and code points above U+10FFFF. */
		if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		else
			return 0;
		if (i + len > n || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t k = 2; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

void
devenv_text_position(const char *buf, size_t off, int *line, int *col)
{
	int l = 1, c = 1;

	for (size_t i = 0; i < off && buf[i]; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			c++; /* count characters, not UTF-8 continuation bytes */
		}
	}
	*line = l;
	*col = c;
}
