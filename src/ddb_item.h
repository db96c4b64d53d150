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

/* Reads and checks every seed file: *.json in the BatchWriteItem
 * RequestItems shape, *.jsonl with one {"Item": {...}} per line for the
 * table named by the file's base name. On success '*out' is one
 * RequestItems object and '*count' the number of write requests. A bad
 * item is DEVENV_EDATA naming its file and line (or table and index). */
int devenv_ddb_seed_load(json_t **out, size_t *count, const json_t *schema,
                         const char *const *files, const char *const *shown);

/* The same for one file's text (for tests and fuzzing); 'name' decides the
 * format by its ending and, for .jsonl, the table. Adds to 'all'. */
int devenv_ddb_seed_parse(json_t *all, size_t *count, json_t *seen, const json_t *schema,
                          const char *text, size_t len, const char *name, const char *shown);

#endif
