/*
 * config.c: devenv.ini. inih does the INI syntax; this file knows the keys,
 * their types and defaults, ${VAR} expansion, and where each line came from.
 */
#include "config.h"
#include "core.h"

#include <ctype.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum type { T_STR, T_PATH, T_PATHS, T_WORDS, T_INT, T_BOOL, T_ENUM, T_PGURL, T_URL };

struct key_spec {
	const char *section; /* "plugin.*" and "env.*" match any name */
	const char *key;
	enum type type;
	const char *def;   /* default, NULL: none */
	const char *enums; /* T_ENUM: the allowed words, space separated */
	long min, max;     /* T_INT */
};

/* Every key devenv.ini may hold. An unknown one is an error with its line. */
static const struct key_spec keys[] = {
	{ "devenv", "state_dir", T_PATH, ".devenv", NULL, 0, 0 },
	{ "devenv", "lock_timeout", T_INT, "60", NULL, 0, 86400 },
	{ "devenv", "plugin_path", T_PATHS, NULL, NULL, 0, 0 },
	{ "devenv", "local_hosts", T_WORDS, NULL, NULL, 0, 0 },
	{ "postgres", "url", T_PGURL, NULL, NULL, 0, 0 },
	{ "postgres", "prod_url", T_PGURL, NULL, NULL, 0, 0 },
	{ "postgres", "schema", T_PATHS, NULL, NULL, 0, 0 },
	{ "postgres", "seed", T_PATHS, NULL, NULL, 0, 0 },
	{ "postgres", "wait_timeout", T_INT, "60", NULL, 0, 86400 },
	{ "postgres", "start", T_ENUM, "auto", "auto never", 0, 0 },
	{ "dynamodb", "endpoint", T_URL, NULL, NULL, 0, 0 },
	{ "dynamodb", "region", T_STR, NULL, NULL, 0, 0 },
	{ "dynamodb", "schema", T_PATHS, NULL, NULL, 0, 0 },
	{ "dynamodb", "seed", T_PATHS, NULL, NULL, 0, 0 },
	{ "dynamodb", "concurrency", T_INT, "8", NULL, 1, 64 },
	{ "dynamodb", "wait_timeout", T_INT, "60", NULL, 0, 86400 },
	{ "dynamodb", "start", T_ENUM, "auto", "auto never", 0, 0 },
	{ "conversation", "file", T_PATH, NULL, NULL, 0, 0 },
	{ "conversation", "table", T_STR, "cruddur-messages", NULL, 0, 0 },
	{ "conversation", "my_handle", T_STR, NULL, NULL, 0, 0 },
	{ "conversation", "other_handle", T_STR, NULL, NULL, 0, 0 },
	{ "plugin.*", "run", T_STR, NULL, NULL, 0, 0 },
	{ "plugin.*", "after", T_WORDS, NULL, NULL, 0, 0 },
	{ "plugin.*", "summary", T_STR, NULL, NULL, 0, 0 },
	{ "env.*", "protected", T_BOOL, NULL, NULL, 0, 0 },
};

struct entry {
	char *section;
	char *key;
	char *value; /* expanded; T_PATH resolved */
	char **list; /* split (T_PATHS resolved); NULL for scalars */
	int line;
};

struct section {
	char *name;
	int line;
};

struct devenv_config {
	char *path;
	char *display;
	char *root;
	char *env;
	struct entry *v;
	size_t n;
	struct section *sec;
	size_t nsec;
};

struct parse {
	struct devenv_config *cfg;
	const char *text; /* the reader's position */
	const char *end;  /* the end of the text */
	int line;
	int err; /* first error's line, 0: none */
	char msg[512];
};

static int fail(struct parse *p, const char *fmt, ...) DEVENV_PRINTF(2, 3);

static int
fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err)
		return 0;
	p->err = p->line;
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
	return 0;
}

/* Whether 'name' matches a spec's section ("plugin.*" takes "plugin.X"). */
static int
section_matches(const char *spec, const char *name)
{
	size_t n = strlen(spec);

	if (n > 2 && strcmp(spec + n - 2, ".*") == 0)
		return strncmp(name, spec, n - 1) == 0 && name[n - 1] != '\0';
	return strcmp(spec, name) == 0;
}

static const struct key_spec *
find_spec(const char *section, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (section_matches(keys[i].section, section) && strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static int
known_section(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (section_matches(keys[i].section, name))
			return 1;
	return 0;
}

/* A plugin or environment name: letters, digits, '-', '_', '.'. */
static int
valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return 0;
	return 1;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* Finds the '}' closing the "${" at 's' (nested ${} counted), or NULL. */
static const char *
closing_brace(const char *s)
{
	int depth = 0;

	for (; *s; s++) {
		if (s[0] == '$' && s[1] == '{') {
			depth++;
			s++;
		} else if (*s == '}' && --depth == 0) {
			return s;
		}
	}
	return NULL;
}

int
devenv_config_expand(char **out, const char *in, const char *file, int line)
{
	size_t cap = strlen(in) + 1, n = 0;
	char *buf = xmalloc(cap);
	int err = 0;

	*out = NULL;
	while (*in) {
		const char *add = in, *end, *name, *def = NULL;
		size_t addlen = 1, namelen;
		char *expanded = NULL, *var;

		if (in[0] == '$' && in[1] == '{') {
			end = closing_brace(in);
			if (!end) {
				err = devenv_error_set_at(DEVENV_ECONFIG, file, line, 0,
				                          "unterminated ${ in value");
				goto out;
			}
			name = in + 2;
			namelen = strcspn(name, ":}");
			if (name[namelen] == ':') {
				if (name[namelen + 1] != '-') {
					err = devenv_error_set_at(
					        DEVENV_ECONFIG, file, line, 0,
					        "unsupported expansion '%.*s' (use ${VAR} or "
					        "${VAR:-default})",
					        (int)(end - in + 1), in);
					goto out;
				}
				def = name + namelen + 2;
			}
			var = xstrndup(name, namelen);
			if (!namelen || (!isalpha((unsigned char)var[0]) && var[0] != '_') ||
			    var[strspn(var, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			                    "0123456789_")]) {
				err = devenv_error_set_at(DEVENV_ECONFIG, file, line, 0,
				                          "bad variable name '%s' in ${...}", var);
				free(var);
				goto out;
			}
			add = getenv(var);
			free(var);
			if ((!add || !*add) && def) {
				char *d = xstrndup(def, (size_t)(end - def));

				err = devenv_config_expand(&expanded, d, file, line);
				free(d);
				if (err)
					goto out;
				add = expanded;
			}
			if (!add)
				add = "";
			addlen = strlen(add);
			in = end + 1;
		} else {
			in++;
		}
		if (n + addlen + 1 > cap) {
			cap = (n + addlen + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		memcpy(buf + n, add, addlen);
		n += addlen;
		free(expanded);
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
out:
	free(buf);
	return err;
}

/* A connection URL or string libpq parses, whose ports are numbers. */
static int
valid_pg_url(const char *value)
{
	PQconninfoOption *opts = PQconninfoParse(value, NULL);
	int ok = opts != NULL;

	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "port") == 0 && o->val && *o->val)
			ok &= o->val[strspn(o->val, "0123456789,")] == '\0';
	PQconninfoFree(opts);
	return ok;
}

static int
valid_http_url(const char *value)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	int ok = u && curl_url_set(u, CURLUPART_URL, value, 0) == CURLUE_OK &&
	         curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	         (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);

	curl_free(scheme);
	curl_url_cleanup(u);
	return ok;
}

static struct entry *
find_entry(const struct devenv_config *cfg, const char *section, const char *key)
{
	for (size_t i = 0; i < cfg->n; i++)
		if (strcmp(cfg->v[i].section, section) == 0 && strcmp(cfg->v[i].key, key) == 0)
			return &cfg->v[i];
	return NULL;
}

/* Checks 'value' against 'spec' and stores it (appending to a list key). */
static int
store(struct parse *p, const char *section, const char *key, const struct key_spec *spec,
      const char *raw)
{
	struct devenv_config *cfg = p->cfg;
	struct entry *e = find_entry(cfg, section, key);
	char *value = NULL, *endp;
	int b;

	if (devenv_config_expand(&value, raw, NULL, 0) != 0)
		return fail(p, "%s", devenv_error_last());
	switch (spec->type) {
	case T_INT: {
		long l;

		errno = 0;
		l = strtol(value, &endp, 10);
		if (errno || endp == value || *endp || l < spec->min || l > spec->max) {
			fail(p, "%s: '%s' is not a whole number from %ld to %ld", key, value,
			     spec->min, spec->max);
			goto bad;
		}
		break;
	}
	case T_BOOL:
		if (parse_bool(value, &b) != 0) {
			fail(p, "%s: '%s' is not true or false", key, value);
			goto bad;
		}
		break;
	case T_ENUM: {
		char **w = devenv_split_words(spec->enums);
		int ok = 0;

		for (char **i = w; *i; i++)
			ok |= strcmp(*i, value) == 0;
		free(w);
		if (!ok) {
			fail(p, "%s: '%s' is not one of: %s", key, value, spec->enums);
			goto bad;
		}
		break;
	}
	case T_PGURL:
		if (*value && !valid_pg_url(value)) {
			/* libpq's own message may quote the URL, password and all. */
			fail(p,
			     "%s: not a PostgreSQL URL or connection string libpq can use (is the "
			     "port a number?)",
			     key);
			goto bad;
		}
		break;
	case T_URL:
		if (*value && !valid_http_url(value)) {
			fail(p, "%s: '%s' is not an http:// or https:// URL", key, value);
			goto bad;
		}
		break;
	case T_PATH:
		if (!*value && spec->def) {
			fail(p, "%s: empty (leave the key out for the default, %s)", key,
			     spec->def);
			goto bad;
		}
		if (*value) {
			char *abs = devenv_path_join(cfg->root, value);

			free(value);
			value = abs;
		}
		break;
	default:
		break;
	}
	if (e && e->line > 0 && spec->type != T_PATHS && spec->type != T_WORDS) {
		fail(p, "%s: set twice (first on line %d)", key, e->line);
		goto bad;
	}
	if (e && e->line > 0) {
		/* A list continued on another line (or repeated) grows. */
		char *joined = xasprintf("%s %s", e->value, value);

		free(value);
		value = joined;
	}
	if (!e) {
		cfg->v = xrealloc(cfg->v, (cfg->n + 1) * sizeof(*cfg->v));
		e = &cfg->v[cfg->n++];
		e->section = xstrdup(section);
		e->key = xstrdup(key);
	} else {
		free(e->value);
		free(e->list);
	}
	e->value = value;
	e->list = NULL;
	e->line = p->line;
	if (spec->type == T_PATHS || spec->type == T_WORDS) {
		char **w = devenv_split_words(value);
		size_t n = 0, sz;
		char **list, *buf;

		for (n = 0; w[n]; n++)
			;
		/* One allocation: pointers, then the resolved strings. */
		sz = (n + 1) * sizeof(char *);
		for (size_t i = 0; i < n; i++)
			sz += strlen(cfg->root) + strlen(w[i]) + 2;
		list = xmalloc(sz);
		buf = (char *)(list + n + 1);
		for (size_t i = 0; i < n; i++) {
			char *s = spec->type == T_PATHS ? devenv_path_join(cfg->root, w[i])
			                                : xstrdup(w[i]);

			strcpy(buf, s);
			list[i] = buf;
			buf += strlen(s) + 1;
			free(s);
		}
		list[n] = NULL;
		free(w);
		e->list = list;
	}
	return 1;
bad:
	free(value);
	return 0;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	struct devenv_config *cfg = p->cfg;
	const struct key_spec *spec;
	const char *dot;

	if (!*section)
		return fail(p, "'%s' is outside any [section]", key);
	if (!devenv_config_has(cfg, section))
		return 0; /* the reader said why */
	spec = find_spec(section, key);
	/* [env.NAME] may override any key as "section.key". */
	if (!spec && strncmp(section, "env.", 4) == 0 && (dot = strchr(key, '.'))) {
		char *s = xstrndup(key, (size_t)(dot - key));

		spec = strchr(s, '.') || strcmp(s, "env") == 0 || strncmp(s, "plugin", 6) == 0
		               ? NULL
		               : find_spec(s, dot + 1);
		free(s);
	}
	if (!spec)
		return fail(p, "unknown key '%s' in [%s]", key, section);
	return store(p, section, key, spec, value);
}

/* Registers the section a "[name]" line opens, with its line: the handler
 * never hears of a section without keys, and its line is wanted in errors. */
static void
section_line(struct parse *p, const char *line)
{
	struct devenv_config *cfg = p->cfg;
	const char *s = line + strspn(line, " \t"), *end;
	char *name;

	if (*s != '[' || !(end = strchr(s, ']')))
		return;
	name = xstrndup(s + 1, (size_t)(end - s - 1));
	if (strlen(name) > 49) {
		fail(p, "section name longer than 49 characters");
	} else if (!known_section(name)) {
		fail(p, "unknown section [%s]", name);
	} else if (!valid_name(strchr(name, '.') ? strchr(name, '.') + 1 : name)) {
		fail(p, "bad section name [%s]", name);
	} else if (devenv_config_has(cfg, name)) {
		for (size_t i = 0; i < cfg->nsec; i++)
			if (strcmp(cfg->sec[i].name, name) == 0)
				fail(p, "section [%s] appears twice (first on line %d)", name,
				     cfg->sec[i].line);
	} else {
		cfg->sec = xrealloc(cfg->sec, (cfg->nsec + 1) * sizeof(*cfg->sec));
		cfg->sec[cfg->nsec].name = name;
		cfg->sec[cfg->nsec++].line = p->line;
		return;
	}
	free(name);
}

/* inih's reader: hands out one line at a time, counting them, and rejects
 * what inih would silently cut (a line longer than its buffer). */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *nl, *t;
	size_t len;

	if (p->text >= p->end)
		return NULL;
	p->line++;
	nl = memchr(p->text, '\n', (size_t)(p->end - p->text));
	len = nl ? (size_t)(nl - p->text) : (size_t)(p->end - p->text);
	if (len + 2 > (size_t)num) {
		fail(p, "line longer than %d characters", num - 2);
		return NULL;
	}
	/* A NUL would end the line early for inih: the rest would vanish. */
	if (memchr(p->text, '\0', len)) {
		fail(p, "NUL byte in line");
		return NULL;
	}
	memcpy(str, p->text, len);
	str[len] = '\0';
	section_line(p, str);
	/* An indented line continues a list key; an indented "key = value" is a
	 * mistake inih would take as part of the key above. */
	t = str + strspn(str, " \t");
	if (t != str && *t && *t != ';' && *t != '#' && *t != '[' && strchr(t, '='))
		fail(p, "indented line: remove the indentation (a continuation line holds values "
		        "only)");
	if (nl)
		str[len++] = '\n';
	str[len] = '\0';
	p->text += len;
	return str;
}

static void
add_default(struct devenv_config *cfg, const struct key_spec *spec, const char *section)
{
	struct parse p = { .cfg = cfg, .line = 0 };

	if (!spec->def || find_entry(cfg, section, spec->key))
		return;
	store(&p, section, spec->key, spec, spec->def);
}

int
devenv_config_parse(struct devenv_config **out, const char *text, const char *display,
                    const char *root, const char *env)
{
	return devenv_config_parse_len(out, text, strlen(text), display, root, env);
}

int
devenv_config_parse_len(struct devenv_config **out, const char *text, size_t len,
                        const char *display, const char *root, const char *env)
{
	struct devenv_config *cfg = xcalloc(1, sizeof(*cfg));
	struct parse p = { .cfg = cfg, .text = text, .end = text + len };
	char *envsec;
	int r;

	*out = NULL;
	cfg->display = xstrdup(display);
	cfg->path = xstrdup(display);
	cfg->root = xstrdup(root);
	cfg->env = xstrdup(env && *env ? env : "dev");
	if (!valid_name(cfg->env)) {
		devenv_error_set(DEVENV_EUSAGE, "bad environment name '%s'", cfg->env);
		devenv_config_free(cfg);
		return DEVENV_EUSAGE;
	}
	r = ini_parse_stream(reader, &p, handler, &p);
	if (r != 0 || p.err) {
		/* The first error wins: inih's (syntax) or ours (meaning). */
		int ours = p.err && (r <= 0 || p.err <= r);

		devenv_error_set_at(DEVENV_ECONFIG, display, ours ? p.err : r, 0, "%s",
		                    ours ? p.msg
		                         : "syntax error: expected [section] or key = value");
		devenv_config_free(cfg);
		return DEVENV_ECONFIG;
	}
	for (size_t i = 0; i < cfg->nsec; i++) {
		if (strncmp(cfg->sec[i].name, "plugin.", 7) == 0 &&
		    !find_entry(cfg, cfg->sec[i].name, "run")) {
			devenv_error_set_at(DEVENV_ECONFIG, display, cfg->sec[i].line, 0,
			                    "[%s] has no 'run' command", cfg->sec[i].name);
			devenv_config_free(cfg);
			return DEVENV_ECONFIG;
		}
	}
	envsec = xasprintf("env.%s", cfg->env);
	if (strcmp(cfg->env, "dev") != 0 && strcmp(cfg->env, "prod") != 0 &&
	    !devenv_config_has(cfg, envsec)) {
		devenv_error_set_at(DEVENV_ECONFIG, display, 0, 0,
		                    "no [%s] section for environment '%s'", envsec, cfg->env);
		free(envsec);
		devenv_config_free(cfg);
		return DEVENV_ECONFIG;
	}
	free(envsec);
	/* Defaults for [devenv] always, and for the sections that are present. */
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(keys[i].section, "devenv") == 0 ||
		    devenv_config_has(cfg, keys[i].section))
			add_default(cfg, &keys[i], keys[i].section);
	*out = cfg;
	return 0;
}

int
devenv_config_load(struct devenv_config **out, const char *path, const char *display,
                   const char *root, const char *env)
{
	char *text;
	size_t len;
	int err;

	*out = NULL;
	if (devenv_read_file(&text, &len, path, display) != 0)
		return devenv_error_set(DEVENV_ECONFIG, "%s", devenv_error_last());
	err = devenv_config_parse_len(out, text, len, display, root, env);
	free(text);
	if (!err) {
		free((*out)->path);
		(*out)->path = xstrdup(path);
	}
	return err;
}

void
devenv_config_free(struct devenv_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->v[i].section);
		free(cfg->v[i].key);
		free(cfg->v[i].value);
		free(cfg->v[i].list);
	}
	for (size_t i = 0; i < cfg->nsec; i++)
		free(cfg->sec[i].name);
	free(cfg->sec);
	free(cfg->v);
	free(cfg->path);
	free(cfg->display);
	free(cfg->root);
	free(cfg->env);
	free(cfg);
}

/* The entry in force: the environment's override, else the file's. */
static const struct entry *
lookup(const struct devenv_config *cfg, const char *section, const char *key)
{
	char envsec[256], envkey[256];
	const struct entry *e;

	snprintf(envsec, sizeof(envsec), "env.%s", cfg->env);
	snprintf(envkey, sizeof(envkey), "%s.%s", section, key);
	if (strncmp(section, "env.", 4) != 0 && (e = find_entry(cfg, envsec, envkey)))
		return e;
	return find_entry(cfg, section, key);
}

const char *
devenv_config_get(const struct devenv_config *cfg, const char *section, const char *key)
{
	const struct entry *e = lookup(cfg, section, key);

	return e ? e->value : NULL;
}

const char *const *
devenv_config_list(const struct devenv_config *cfg, const char *section, const char *key)
{
	static const char *const empty[] = { NULL };
	const struct entry *e = lookup(cfg, section, key);

	return e && e->list ? (const char *const *)e->list : empty;
}

int
devenv_config_line(const struct devenv_config *cfg, const char *section, const char *key)
{
	const struct entry *e = lookup(cfg, section, key);

	return e ? e->line : 0;
}

int
devenv_config_has(const struct devenv_config *cfg, const char *section)
{
	for (size_t i = 0; i < cfg->nsec; i++)
		if (strcmp(cfg->sec[i].name, section) == 0)
			return 1;
	return 0;
}

const char **
devenv_config_sections(const struct devenv_config *cfg, const char *prefix)
{
	const char **v = xcalloc(cfg->nsec + 1, sizeof(*v));
	size_t n = 0, plen = strlen(prefix);

	for (size_t i = 0; i < cfg->nsec; i++)
		if (strncmp(cfg->sec[i].name, prefix, plen) == 0)
			v[n++] = cfg->sec[i].name + plen;
	return v;
}

const char **
devenv_config_section_files(const struct devenv_config *cfg, const char *section)
{
	const char **v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < cfg->n; i++) {
		const struct key_spec *spec = find_spec(section, cfg->v[i].key);

		if (strcmp(cfg->v[i].section, section) != 0 || !spec ||
		    (spec->type != T_PATH && spec->type != T_PATHS))
			continue;
		for (const char *const *f = devenv_config_list(cfg, section, cfg->v[i].key); *f;
		     f++) {
			v = xrealloc(v, (n + 2) * sizeof(*v));
			v[n++] = *f;
		}
		if (spec->type == T_PATH && *cfg->v[i].value) {
			v = xrealloc(v, (n + 2) * sizeof(*v));
			v[n++] = cfg->v[i].value;
		}
	}
	v = xrealloc(v, (n + 1) * sizeof(*v));
	v[n] = NULL;
	return v;
}

const char *
devenv_config_path(const struct devenv_config *cfg)
{
	return cfg->path;
}

const char *
devenv_config_display(const struct devenv_config *cfg)
{
	return cfg->display;
}

const char *
devenv_config_env(const struct devenv_config *cfg)
{
	return cfg->env;
}

int
devenv_config_protected(const struct devenv_config *cfg)
{
	char sec[256];
	const char *v;
	int b = 0;

	snprintf(sec, sizeof(sec), "env.%s", cfg->env);
	v = devenv_config_get(cfg, sec, "protected");
	if (v && parse_bool(v, &b) == 0)
		return b;
	return strcmp(cfg->env, "prod") == 0;
}
