/* aws.c: AWS credentials from the environment or the shared credentials file. */
#include "aws.h"
#include "core.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct profile_read {
	const char *profile;
	struct devenv_aws_creds *c;
	int continuing; /* the line inih has is the rest of a long line */
	FILE *f;
	char pending[8192]; /* the rest of a line longer than inih's buffer */
	size_t pending_len, pending_off;
};

/* inih reads lines of at most 200 bytes and cuts longer ones; a session
 * token is much longer. This reader hands a long line to inih in pieces,
 * the later ones as continuation lines, which on_key joins again. */
static char *
long_line_reader(char *str, int num, void *stream)
{
	struct profile_read *r = stream;
	size_t room = (size_t)num - 3, n;

	if (r->pending_off >= r->pending_len) {
		if (!fgets(r->pending, sizeof(r->pending), r->f))
			return NULL;
		r->pending_len = strlen(r->pending);
		r->pending_off = 0;
		n = r->pending_len < room ? r->pending_len : room;
		memcpy(str, r->pending, n);
		str[n] = '\0';
		r->pending_off = n;
		r->continuing = 0;
		return str;
	}
	str[0] = ' ';
	n = r->pending_len - r->pending_off < room ? r->pending_len - r->pending_off : room;
	memcpy(str + 1, r->pending + r->pending_off, n);
	str[n + 1] = '\0';
	r->pending_off += n;
	r->continuing = 1;
	return str;
}

static void
set_or_append(char *dst, size_t size, const char *value, int append)
{
	size_t n = append ? strlen(dst) : 0;

	snprintf(dst + n, size - n, "%s", value);
}

static int
on_key(void *user, const char *section, const char *key, const char *value)
{
	struct profile_read *r = user;

	if (strcmp(section, r->profile) != 0)
		return 1;
	if (strcmp(key, "aws_access_key_id") == 0)
		set_or_append(r->c->key, sizeof(r->c->key), value, r->continuing);
	else if (strcmp(key, "aws_secret_access_key") == 0)
		set_or_append(r->c->secret, sizeof(r->c->secret), value, r->continuing);
	else if (strcmp(key, "aws_session_token") == 0)
		set_or_append(r->c->token, sizeof(r->c->token), value, r->continuing);
	return 1;
}

int
devenv_aws_creds_load(struct devenv_aws_creds *c)
{
	const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN"),
	           *file = getenv("AWS_SHARED_CREDENTIALS_FILE");
	const char *profile = getenv("AWS_PROFILE"), *home = getenv("HOME");
	struct profile_read r = { .c = c };
	char *path = NULL;

	memset(c, 0, sizeof(*c));
	if (key && *key && secret && *secret) {
		snprintf(c->key, sizeof(c->key), "%s", key);
		snprintf(c->secret, sizeof(c->secret), "%s", secret);
		snprintf(c->token, sizeof(c->token), "%s", token ? token : "");
	} else {
		r.profile = profile && *profile ? profile : "default";
		if (file && *file)
			path = xstrdup(file);
		else if (home)
			path = xasprintf("%s/.aws/credentials", home);
		/* A missing file is no error: there are just no credentials. */
		if (path && (r.f = fopen(path, "r"))) {
			ini_parse_stream(long_line_reader, &r, on_key, &r);
			fclose(r.f);
		}
		free(path);
	}
	devenv_secret_add(c->secret);
	devenv_secret_add(c->token);
	if (!c->key[0] || !c->secret[0])
		return devenv_error_set(
		        DEVENV_ECONFIG,
		        "no AWS credentials: set AWS_ACCESS_KEY_ID and "
		        "AWS_SECRET_ACCESS_KEY, or a [%s] profile in ~/.aws/credentials",
		        r.profile ? r.profile : "default");
	return 0;
}

struct region_read {
	char section[300];
	char *out;
	size_t n;
};

static int
on_config_key(void *user, const char *section, const char *key, const char *value)
{
	struct region_read *r = user;

	if (strcmp(section, r->section) == 0 && strcmp(key, "region") == 0)
		snprintf(r->out, r->n, "%s", value);
	return 1;
}

void
devenv_aws_region(char *out, size_t n)
{
	const char *env = getenv("AWS_REGION"), *profile = getenv("AWS_PROFILE");
	const char *file = getenv("AWS_CONFIG_FILE"), *home = getenv("HOME");
	struct region_read r = { .out = out, .n = n };
	char *path = NULL;

	if (!env || !*env)
		env = getenv("AWS_DEFAULT_REGION");
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return;
	}
	out[0] = '\0';
	/* The config file names profiles "[profile NAME]", except [default]. */
	if (profile && *profile && strcmp(profile, "default") != 0)
		snprintf(r.section, sizeof(r.section), "profile %s", profile);
	else
		snprintf(r.section, sizeof(r.section), "default");
	if (file && *file)
		path = xstrdup(file);
	else if (home)
		path = xasprintf("%s/.aws/config", home);
	if (path)
		ini_parse(path, on_config_key, &r);
	free(path);
	if (!out[0])
		snprintf(out, n, "us-east-1");
}
