/*
 * devenv/plugin.h: the plugin ABI. The one header a plugin includes.
 *
 * A plugin is one descriptor, `const struct devenv_plugin devenv_plugin`, and
 * static code behind it. The core owns configuration, paths, connections,
 * logging, progress, cancellation and fingerprints; a plugin asks the context
 * for them and keeps no global state. Built-in plugins are compiled in through
 * a registry generated at build time; a shared module exporting the same
 * symbol is loaded with dlopen from `[devenv] plugin_path` or
 * DEVENV_PLUGIN_PATH.
 */
#ifndef DEVENV_PLUGIN_H
#define DEVENV_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of the descriptor or the context API. */
#define DEVENV_PLUGIN_ABI 2

#define DEVENV_API __attribute__((visibility("default")))

#if defined(__GNUC__)
#define DEVENV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DEVENV_PRINTF(f, a)
#endif

/* Plugin flags. */
enum {
	/* Drops data: refused on protected or non-local targets unless
	 * --allow-destructive and the typed-back name. The core applies it. */
	DEVENV_PLUGIN_DESTRUCTIVE = 1u << 0,
	/* A command (sessions, tables, scan): runs only when named, never
	 * as part of `up` or `reset`. */
	DEVENV_PLUGIN_COMMAND = 1u << 1,
};

/*
 * Error codes. Functions return 0 or one of these (negative); the core maps
 * each to the process exit code of DESIGN §2 in one table.
 */
enum devenv_error_code {
	DEVENV_OK = 0,
	DEVENV_EFAIL = -1,        /* a plugin failed: exit 1 */
	DEVENV_EUSAGE = -2,       /* bad command line: exit 64 */
	DEVENV_EDATA = -3,        /* bad schema/seed/input file: exit 65 */
	DEVENV_EUNAVAILABLE = -4, /* a service did not become ready: exit 69 */
	DEVENV_ELOCKED = -5,      /* the repository lock stayed taken: exit 75 */
	DEVENV_EREFUSED = -6,     /* destructive plugin on a protected target: exit 77 */
	DEVENV_ECONFIG = -7,      /* bad configuration: exit 78 */
	DEVENV_ECANCELLED = -8,   /* SIGINT/SIGTERM: exit 130/143 */
};

struct devenv_ctx;

struct devenv_plugin {
	int abi;                  /* DEVENV_PLUGIN_ABI */
	const char *name;         /* "family.verb", e.g. "pg.seed" */
	const char *summary;      /* one line for `devenv plugins` */
	const char *const *after; /* NULL-terminated: plugins this one needs first */
	unsigned flags;           /* DEVENV_PLUGIN_* */
	/* Config section this plugin needs; when the project's devenv.ini has
	 * no such section the plugin is left out. NULL: always available. */
	const char *section;
	int (*run)(struct devenv_ctx *ctx);
};

/* --- configuration and paths ------------------------------------------ */

/* The expanded value of [section] key, or NULL when unset. Path-typed keys
 * come back absolute. The string lives as long as the run. */
DEVENV_API const char *devenv_cfg_get(struct devenv_ctx *ctx, const char *section, const char *key);

/* A list-typed key split on white space: a NULL-terminated array, never NULL
 * (empty when unset). Path lists come back absolute. */
DEVENV_API const char *const *devenv_cfg_list(struct devenv_ctx *ctx, const char *section,
                                              const char *key);

/* An integer key, or 'def' when unset. */
DEVENV_API long devenv_cfg_int(struct devenv_ctx *ctx, const char *section, const char *key,
                               long def);

/* The repository root, absolute, without a trailing slash. */
DEVENV_API const char *devenv_root(struct devenv_ctx *ctx);

/* The environment name: "dev" unless -e or DEVENV_ENV says otherwise. */
DEVENV_API const char *devenv_env(struct devenv_ctx *ctx);

/* Whether the environment in force is protected ([env.NAME] protected;
 * "prod" unless it says otherwise). */
DEVENV_API int devenv_protected(struct devenv_ctx *ctx);

/* 'path' as the user should read it: relative to the root when inside it. */
DEVENV_API const char *devenv_path_display(struct devenv_ctx *ctx, const char *path);

/* The PostgreSQL URL in force (url, or prod_url under -e prod). NULL when
 * PostgreSQL is not configured. */
DEVENV_API const char *devenv_pg_url(struct devenv_ctx *ctx);

/* The DynamoDB endpoint in force: [dynamodb] endpoint, else
 * AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL, else (-e prod, or no local
 * endpoint named) https://dynamodb.REGION.amazonaws.com. NULL when DynamoDB
 * is not configured. */
DEVENV_API const char *devenv_ddb_endpoint(struct devenv_ctx *ctx);

/* The DynamoDB region in force: [dynamodb] region, else as the AWS CLI
 * finds it (AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config), else us-east-1. */
DEVENV_API const char *devenv_ddb_region(struct devenv_ctx *ctx);

/* Arguments given after the plugin's command (`ddb scan TABLE --limit 5`). */
DEVENV_API int devenv_argc(struct devenv_ctx *ctx);
DEVENV_API const char *const *devenv_argv(struct devenv_ctx *ctx);

/* --- output ------------------------------------------------------------ */

enum devenv_level { DEVENV_LOG_ERROR, DEVENV_LOG_WARN, DEVENV_LOG_INFO, DEVENV_LOG_DEBUG };

/* A log line on stderr, prefixed with the plugin's name; secrets masked. */
DEVENV_API void devenv_log(struct devenv_ctx *ctx, enum devenv_level level, const char *fmt, ...)
        DEVENV_PRINTF(3, 4);

#define devenv_info(ctx, ...)  devenv_log((ctx), DEVENV_LOG_INFO, __VA_ARGS__)
#define devenv_warn(ctx, ...)  devenv_log((ctx), DEVENV_LOG_WARN, __VA_ARGS__)
#define devenv_debug(ctx, ...) devenv_log((ctx), DEVENV_LOG_DEBUG, __VA_ARGS__)

/* Command output (a table, a scan) on stdout, not prefixed; secrets masked. */
DEVENV_API void devenv_out(struct devenv_ctx *ctx, const char *fmt, ...) DEVENV_PRINTF(2, 3);

/* Whether the user asked for --json output. */
DEVENV_API int devenv_json(struct devenv_ctx *ctx);

/* The middle column of the plugin's result line (`pg.seed  db/seed.sql  ok`). */
DEVENV_API void devenv_set_detail(struct devenv_ctx *ctx, const char *fmt, ...) DEVENV_PRINTF(2, 3);

/* Progress of a long step; drawn as a bar on a tty after about a second. */
DEVENV_API void devenv_progress(struct devenv_ctx *ctx, uint64_t done, uint64_t total);

/* Non-zero once the run is being cancelled (SIGINT, SIGTERM). */
DEVENV_API int devenv_cancelled(struct devenv_ctx *ctx);

/* Whether 'n' bytes of 'text' are valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF): what JSON and DynamoDB accept. */
DEVENV_API int devenv_utf8_valid(const char *text, size_t n);

/* Registers a secret: it is masked as *** in every line devenv prints. */
DEVENV_API void devenv_secret_add(const char *secret);

/* --- errors -------------------------------------------------------------- */

/* Sets this thread's error and returns 'code'. */
DEVENV_API int devenv_error_set(int code, const char *fmt, ...) DEVENV_PRINTF(2, 3);

/* The same with a position, printed as FILE:LINE:COL (line/col 0: left out). */
DEVENV_API int devenv_error_set_at(int code, const char *file, int line, int col, const char *fmt,
                                   ...) DEVENV_PRINTF(5, 6);

/* This thread's last error message, "" when none. */
DEVENV_API const char *devenv_error_last(void);

/* --- services ------------------------------------------------------------ */

/* Waits until host:port accepts a TCP connection and 'probe' says ready
 * (0; 1 not yet with the reason in 'why'; -1 never, error set), with a short
 * per-attempt timeout and backoff from about 10 ms. 'host' NULL skips the
 * TCP step. 'timeout_s' yields to `wait --timeout`. Returns 0,
 * DEVENV_EUNAVAILABLE naming the last reason, or DEVENV_ECANCELLED. */
DEVENV_API int devenv_wait(struct devenv_ctx *ctx, const char *what, const char *host,
                           const char *port, long timeout_s,
                           int (*probe)(void *arg, char *why, size_t n), void *arg);

struct json_t;
struct pg_conn;

/* The CreateTable requests of the [dynamodb] schema files, as one JSON array
 * (json_decref it). Returns 0, or DEVENV_EDATA naming the file and line. */
DEVENV_API int devenv_ddb_schema(struct json_t **out, struct devenv_ctx *ctx);

/* DynamoDB write requests ({"PutRequest": ...}, {"DeleteRequest": ...}),
 * in order, each kept as its JSON text, for devenv_ddb_write. */
struct devenv_ddb_writes;

DEVENV_API struct devenv_ddb_writes *devenv_ddb_writes_new(void);
DEVENV_API void devenv_ddb_writes_free(struct devenv_ddb_writes *w);

/* Adds every write request of a RequestItems object ({"Table": [...]}).
 * Returns 0, or DEVENV_EDATA when it is not that shape. */
DEVENV_API int devenv_ddb_writes_add(struct devenv_ddb_writes *w,
                                     const struct json_t *request_items);

/* The number of write requests in 'w'. */
DEVENV_API size_t devenv_ddb_writes_count(const struct devenv_ddb_writes *w);

/* Reads and checks every [dynamodb] seed file against the schema before
 * anything is written: '*out' holds their write requests (free it with
 * devenv_ddb_writes_free). A bad item is DEVENV_EDATA naming its file and
 * line (or table and index), and '*out' is NULL. */
DEVENV_API int devenv_ddb_seed_files(struct devenv_ddb_writes **out, struct devenv_ctx *ctx);

/* Writes 'w' with BatchWriteItem: batches of 25, [dynamodb] concurrency
 * requests in flight, unprocessed items and throttling retried with backoff
 * and jitter; progress on a tty. '*written' (may be NULL) counts the items
 * written. */
DEVENV_API int devenv_ddb_write(struct devenv_ctx *ctx, const struct devenv_ddb_writes *w,
                                size_t *written);

/* Waits until 'table' is ACTIVE with its indexes (gone: until it no longer
 * exists), polling with backoff up to 'timeout_s'. */
DEVENV_API int devenv_ddb_wait_table(struct devenv_ctx *ctx, const char *table, int gone,
                                     long timeout_s);

/* A connection to the database of the PostgreSQL URL in force, opened on
 * first use and closed when the plugin returns; NULL with the error set
 * (the URL's password never in it). */
DEVENV_API struct pg_conn *devenv_pg(struct devenv_ctx *ctx);

/* The same server's maintenance database ("postgres"), for CREATE and DROP. */
DEVENV_API struct pg_conn *devenv_pg_admin(struct devenv_ctx *ctx);

/* Whether the database of the URL in force holds a table of its own (any
 * schema but the system's). */
DEVENV_API int devenv_pg_has_tables(int *yes, struct devenv_ctx *ctx);

/* The database name of the URL in force ("postgres" when it names none). */
DEVENV_API const char *devenv_pg_dbname(struct devenv_ctx *ctx);

/* Runs a SQL file as `psql -1 -v ON_ERROR_STOP=1 -f` would, in one
 * transaction, COPY ... FROM stdin blocks included, many statements per
 * round trip. On failure the file is rolled back and the error reads
 * FILE:LINE:COL: ERROR: message (with DETAIL and HINT); DEVENV_EDATA for
 * bad SQL or data. */
DEVENV_API int devenv_sql_run_file(struct devenv_ctx *ctx, struct pg_conn *conn, const char *path);

/* Runs one statement on 'conn' and fails with the server's message unless
 * it succeeds; 'params' (n of them) are text. */
DEVENV_API int devenv_pg_exec(struct devenv_ctx *ctx, struct pg_conn *conn, const char *sql, int n,
                              const char *const *params);

/* Calls the DynamoDB operation 'op' ("ListTables") with the JSON 'body' on
 * the endpoint in force, signed with SigV4. On HTTP 200, '*out' is the
 * parsed answer (json_decref it). Otherwise returns DEVENV_EUNAVAILABLE when
 * the service did not answer, or DEVENV_EFAIL with the DynamoDB error type
 * and message; '*http' (may be NULL) gets the HTTP status (0: no answer). */
DEVENV_API int devenv_ddb_call(struct json_t **out, long *http, struct devenv_ctx *ctx,
                               const char *op, const char *body);

/* --- state and fingerprints --------------------------------------------- */

/* The state directory (created, 0700). */
DEVENV_API const char *devenv_state_dir(struct devenv_ctx *ctx);

/* Computes the fingerprint of a list of files: a git blob id over each file's
 * own blob id and name, as 40 hex digits into 'out'. A missing file counts
 * as such (its name with no id). Returns 0 or a negative code. */
DEVENV_API int devenv_fingerprint(char out[41], struct devenv_ctx *ctx, const char *const *files);

/* The git blob id of a string, as 40 hex digits into 'out'. */
DEVENV_API void devenv_fingerprint_text(char out[41], const char *text);

/* Milliseconds on a monotonic clock. */
DEVENV_API int64_t devenv_clock_ms(void);

/* Stored state: the value last saved under 'key' ("" when none), and saving
 * one (NULL removes it). Saved atomically in the state dir. */
DEVENV_API int devenv_state_get(char *out, int outsz, struct devenv_ctx *ctx, const char *key);
DEVENV_API int devenv_state_put(struct devenv_ctx *ctx, const char *key, const char *value);

#ifdef __cplusplus
}
#endif
#endif
