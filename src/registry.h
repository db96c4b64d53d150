/* registry.h: every plugin a run can use: built in, dlopen'd, or exec. */
#ifndef DEVENV_REGISTRY_H
#define DEVENV_REGISTRY_H

#include <devenv/plugin.h>
#include <stddef.h>

struct devenv_config;

enum devenv_origin { DEVENV_BUILTIN, DEVENV_MODULE, DEVENV_EXEC };

struct devenv_reg_entry {
	const struct devenv_plugin *p;
	enum devenv_origin origin;
	char *source;              /* module file, or the exec plugin's command line */
	int available;             /* its config section is present */
	struct devenv_plugin *own; /* exec plugins: the descriptor built from [plugin.NAME] */
	char **own_after;
	char *own_name;
	char *own_summary;
};

struct devenv_registry {
	struct devenv_reg_entry *v;
	size_t n;
	void **handles; /* dlopen handles, closed with the registry */
	size_t nhandles;
};

/* The built-in plugins: generated at build time from plugins/. */
extern const struct devenv_plugin *const devenv_builtin_plugins[];

/* Builds the registry: built-ins, then modules from [devenv] plugin_path and
 * DEVENV_PLUGIN_PATH (folders of *.so, or .so files; ':' separates entries in
 * the variable), then [plugin.NAME] exec plugins. 'cfg' may be NULL (built-ins
 * only). Returns 0, or DEVENV_ECONFIG for a bad module, a clashing name or an
 * incompatible ABI. */
int devenv_registry_build(struct devenv_registry **out, const struct devenv_config *cfg);
void devenv_registry_free(struct devenv_registry *reg);
/* The plugin called 'name', or NULL. */
const struct devenv_reg_entry *devenv_registry_find(const struct devenv_registry *reg,
                                                    const char *name);
const char *devenv_origin_name(enum devenv_origin o);

/* exec.c: runs an exec plugin's command line with /bin/sh -c. */
int devenv_exec_run(struct devenv_ctx *ctx);

#endif
