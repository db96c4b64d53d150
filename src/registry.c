/*
 * registry.c: the one list of plugins. Built-ins come from the generated
 * table; modules are dlopen'd and must export `devenv_plugin`; exec plugins
 * are described by [plugin.NAME] sections.
 */
#include "registry.h"
#include "config.h"
#include "core.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *
devenv_origin_name(enum devenv_origin o)
{
	static const char *const names[] = { "built-in", "module", "exec" };

	return names[o];
}

const struct devenv_reg_entry *
devenv_registry_find(const struct devenv_registry *reg, const char *name)
{
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->v[i].p->name, name) == 0)
			return &reg->v[i];
	return NULL;
}

static int
valid_plugin_name(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return 0;
	return 1;
}

/* Adds 'p'; a second plugin with a name already taken is an error. */
static int
add(struct devenv_registry *reg, const struct devenv_plugin *p, enum devenv_origin origin,
    const char *source, const struct devenv_config *cfg)
{
	const struct devenv_reg_entry *dup = devenv_registry_find(reg, p->name);
	struct devenv_reg_entry *e;

	if (dup)
		return devenv_error_set(
		        DEVENV_ECONFIG, "plugin %s%s%s: the name is taken by the %s plugin%s%s",
		        p->name, source ? " from " : "", source ? source : "",
		        devenv_origin_name(dup->origin), dup->source ? " from " : "",
		        dup->source ? dup->source : "");
	reg->v = xrealloc(reg->v, (reg->n + 1) * sizeof(*reg->v));
	e = &reg->v[reg->n++];
	memset(e, 0, sizeof(*e));
	e->p = p;
	e->origin = origin;
	e->source = source ? xstrdup(source) : NULL;
	e->available = !p->section || (cfg && devenv_config_has(cfg, p->section));
	return 0;
}

static int
load_module(struct devenv_registry *reg, const char *file, const struct devenv_config *cfg)
{
	const struct devenv_plugin *p;
	void *h = dlopen(file, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return devenv_error_set(DEVENV_ECONFIG, "plugin module %s: %s", file, dlerror());
	reg->handles = xrealloc(reg->handles, (reg->nhandles + 1) * sizeof(void *));
	reg->handles[reg->nhandles++] = h;
	p = dlsym(h, "devenv_plugin");
	if (!p)
		return devenv_error_set(DEVENV_ECONFIG,
		                        "plugin module %s exports no 'devenv_plugin' descriptor",
		                        file);
	if (p->abi != DEVENV_PLUGIN_ABI)
		return devenv_error_set(DEVENV_ECONFIG,
		                        "plugin module %s was built for plugin ABI %d, this devenv "
		                        "has %d",
		                        file, p->abi, DEVENV_PLUGIN_ABI);
	if (!valid_plugin_name(p->name) || !p->run)
		return devenv_error_set(DEVENV_ECONFIG,
		                        "plugin module %s: descriptor has no valid name or run",
		                        file);
	return add(reg, p, DEVENV_MODULE, file, cfg);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads 'entry': a .so file, or every *.so in a folder (in name order). */
static int
load_path_entry(struct devenv_registry *reg, const char *entry, const struct devenv_config *cfg)
{
	struct stat sb;
	struct dirent *d;
	char **names = NULL;
	size_t n = 0;
	int err = 0;
	DIR *dir;

	if (stat(entry, &sb) < 0)
		return devenv_error_set(DEVENV_ECONFIG, "plugin path %s does not exist", entry);
	if (!S_ISDIR(sb.st_mode))
		return load_module(reg, entry, cfg);
	if (!(dir = opendir(entry)))
		return devenv_error_set(DEVENV_ECONFIG, "plugin path %s cannot be read", entry);
	while ((d = readdir(dir))) {
		if (!ends_with(d->d_name, ".so"))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = devenv_path_join(entry, d->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		if (!err)
			err = load_module(reg, names[i], cfg);
		free(names[i]);
	}
	free(names);
	return err;
}

static int
add_exec(struct devenv_registry *reg, const struct devenv_config *cfg, const char *name)
{
	char *sec = xasprintf("plugin.%s", name);
	const char *run = devenv_config_get(cfg, sec, "run");
	const char *summary = devenv_config_get(cfg, sec, "summary");
	struct devenv_plugin probe = { .abi = DEVENV_PLUGIN_ABI, .name = name };
	struct devenv_reg_entry *e;
	int err;

	err = add(reg, &probe, DEVENV_EXEC, run, cfg);
	if (err) {
		err = devenv_error_set_at(
		        DEVENV_ECONFIG, devenv_config_display(cfg),
		        devenv_config_line(cfg, sec, "run"), 0,
		        "[%s]: the name %s is taken by a built-in or module plugin", sec, name);
		free(sec);
		return err;
	}
	e = &reg->v[reg->n - 1];
	e->own_name = xstrdup(name);
	e->own_summary = summary ? xstrdup(summary) : xasprintf("runs: %s", run);
	e->own_after = devenv_split_words(devenv_config_get(cfg, sec, "after"));
	e->own = xmalloc(sizeof(*e->own));
	*e->own = (struct devenv_plugin){
		.abi = DEVENV_PLUGIN_ABI,
		.name = e->own_name,
		.summary = e->own_summary,
		.after = (const char *const *)e->own_after,
		.run = devenv_exec_run,
	};
	e->p = e->own;
	free(sec);
	return 0;
}

int
devenv_registry_build(struct devenv_registry **out, const struct devenv_config *cfg)
{
	struct devenv_registry *reg = xcalloc(1, sizeof(*reg));
	const char *env = getenv("DEVENV_PLUGIN_PATH");
	const char **execs = NULL;
	int err = 0;

	*out = NULL;
	for (size_t i = 0; devenv_builtin_plugins[i]; i++)
		if ((err = add(reg, devenv_builtin_plugins[i], DEVENV_BUILTIN, NULL, cfg)))
			goto fail;
	if (cfg)
		for (const char *const *p = devenv_config_list(cfg, "devenv", "plugin_path"); *p;
		     p++)
			if ((err = load_path_entry(reg, *p, cfg)))
				goto fail;
	if (env && *env) {
		char *copy = xstrdup(env), *save = NULL;

		for (char *t = strtok_r(copy, ":", &save); t && !err;
		     t = strtok_r(NULL, ":", &save))
			err = load_path_entry(reg, t, cfg);
		free(copy);
		if (err)
			goto fail;
	}
	if (cfg) {
		execs = devenv_config_sections(cfg, "plugin.");
		for (size_t i = 0; execs[i]; i++)
			if ((err = add_exec(reg, cfg, execs[i])))
				goto fail;
		/* An exec plugin's after names plugins: a typo is the config's
		 * error, with its line. */
		for (size_t i = 0; execs[i]; i++) {
			char *sec = xasprintf("plugin.%s", execs[i]);
			const char *const *a = devenv_registry_find(reg, execs[i])->p->after;

			for (; a && *a && !err; a++)
				if (!devenv_registry_find(reg, *a))
					err = devenv_error_set_at(
					        DEVENV_ECONFIG, devenv_config_display(cfg),
					        devenv_config_line(cfg, sec, "after"), 0,
					        "plugin %s runs after '%s', which no plugin is",
					        execs[i], *a);
			free(sec);
			if (err)
				goto fail;
		}
	}
	free(execs);
	*out = reg;
	return 0;
fail:
	free(execs);
	devenv_registry_free(reg);
	return err;
}

void
devenv_registry_free(struct devenv_registry *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->n; i++) {
		free(reg->v[i].source);
		free(reg->v[i].own_after);
		free(reg->v[i].own_name);
		free(reg->v[i].own_summary);
		free(reg->v[i].own);
	}
	free(reg->v);
	for (size_t i = 0; i < reg->nhandles; i++)
		dlclose(reg->handles[i]);
	free(reg->handles);
	free(reg);
}
