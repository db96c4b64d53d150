/* ddb_item.h: checking DynamoDB items before any is written. */
#ifndef DEVENV_DDB_ITEM_H
#define DEVENV_DDB_ITEM_H

#include <jansson.h>
#include <stddef.h>

/* Checks an AttributeValue ({"S": "..."}, {"M": {...}}, ...) at 'path'.
 * Returns 0, or -1 with the reason in 'why'. */
int devenv_ddb_check_value(const json_t *v, const char *path, char *why, size_t n, int depth);

/* Checks an item against its table's CreateTable request: every value, the
 * key attributes present with the schema's types, 400 KB at most. */
int devenv_ddb_check_item(const json_t *item, const json_t *table, char *why, size_t n);

/* The item's primary key as a string (free() it), to find duplicates. */
char *devenv_ddb_item_key(const json_t *item, const json_t *table);

/* The CreateTable request for 'name' in a schema array, or NULL. */
const json_t *devenv_ddb_find_table(const json_t *schema, const char *name);

struct devenv_ddb_writes;

/* Reads and checks every seed file: *.json in the BatchWriteItem
 * RequestItems shape, *.jsonl with one {"Item": {...}} per line for the
 * table named by the file's base name. On success '*out' holds their write
 * requests. A bad item is DEVENV_EDATA naming its file and line (or table
 * and index). */
int devenv_ddb_seed_load(struct devenv_ddb_writes **out, const json_t *schema,
                         const char *const *files, const char *const *shown);

/* The same for one file's text (for tests and fuzzing), which 'w' takes
 * (malloc'd; kept even on error); 'name' decides the format by its ending
 * and, for .jsonl, the table. 'seen' (a JSON object, empty at first) finds
 * keys seen twice across the calls. */
int devenv_ddb_seed_parse(struct devenv_ddb_writes *w, json_t *seen, const json_t *schema,
                          char *text, size_t len, const char *name, const char *shown);

/* How a long request list is cut to be read on several threads: into
 * 'parts' parts (0: one per CPU) of at least 'part_min' bytes. Tests and
 * fuzzing change it to compare the readings. */
struct devenv_ddb_seed_tuning {
	int parts;
	size_t part_min;
	size_t joined; /* out: parts read on other threads and used as read */
};
extern struct devenv_ddb_seed_tuning devenv_ddb_seed_tuning;

#endif
