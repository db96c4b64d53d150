/* config.h: devenv.ini, read with inih, checked against one table of keys. */
#ifndef DEVENV_CONFIG_H
#define DEVENV_CONFIG_H

#include <stddef.h>

struct devenv_config;

/* Reads the INI file at 'path' (shown as 'display' in messages) into '*out'.
 * Relative paths resolve against 'root'; 'env' names the environment whose
 * [env.NAME] overrides apply ("dev" when NULL). Returns 0, or DEVENV_ECONFIG
 * with devenv_error_last() reading "FILE:LINE: message". */
int devenv_config_load(struct devenv_config **out, const char *path, const char *display,
                       const char *root, const char *env);
/* The same from a string, for tests and fuzzing. */
int devenv_config_parse(struct devenv_config **out, const char *text, const char *display,
                        const char *root, const char *env);
/* The same for 'len' bytes of text, which may hold a NUL (an error). */
int devenv_config_parse_len(struct devenv_config **out, const char *text, size_t len,
                            const char *display, const char *root, const char *env);
void devenv_config_free(struct devenv_config *cfg);

/* Expands ${VAR} and ${VAR:-default} from the environment into '*out'.
 * 'file'/'line' name the place in errors. Returns 0 or DEVENV_ECONFIG. */
int devenv_config_expand(char **out, const char *in, const char *file, int line);

/* The value in force for [section] key: [env.ENV] `section.key` when set,
 * else the file's value, else the key's default. NULL when none. */
const char *devenv_config_get(const struct devenv_config *cfg, const char *section,
                              const char *key);
/* The same split into words (paths resolved); never NULL. */
const char *const *devenv_config_list(const struct devenv_config *cfg, const char *section,
                                      const char *key);
/* The line a key was set on (0: a default). */
int devenv_config_line(const struct devenv_config *cfg, const char *section, const char *key);
/* Whether the file has [section]. */
int devenv_config_has(const struct devenv_config *cfg, const char *section);
/* The names after 'prefix' of every section starting with it ("plugin."),
 * in file order: a NULL-terminated array to free() (the strings are the
 * config's own). */
const char **devenv_config_sections(const struct devenv_config *cfg, const char *prefix);
/* Every file a section's path keys name, resolved: a NULL-terminated array
 * to free() (the strings are the config's own). */
const char **devenv_config_section_files(const struct devenv_config *cfg, const char *section);
const char *devenv_config_path(const struct devenv_config *cfg);
const char *devenv_config_display(const struct devenv_config *cfg);
const char *devenv_config_env(const struct devenv_config *cfg);
/* Whether the environment in force is protected ([env.NAME] protected;
 * "prod" is protected unless it says otherwise). */
int devenv_config_protected(const struct devenv_config *cfg);

#endif
