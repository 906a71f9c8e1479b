/*
 * pg.c: the PostgreSQL implementation of store.h, on libpq.
 *
 * A pool of connections, opened on demand up to store_options.connections
 * (the HTTP threads + 1 for the jobs) and shared by writers and readers: a
 * store_write() or store_read() takes one for the length of its transaction.
 * Each connection prepares a SQL text once (PQprepare, named "r1", "r2" ...)
 * and executes it by name after that; $N placeholders are PostgreSQL's own,
 * 'i' arguments are sent as int8 and 's' as text.
 *
 * Isolation (store.h): writes run SERIALIZABLE and are run again, whole, on a
 * serialization failure (40001) or a deadlock (40P01), a few times with a
 * random pause; reads run REPEATABLE READ READ ONLY, one snapshot.
 *
 * A statement is executed when store_query() is called and its whole result
 * kept until store_done(); store_step() walks the rows. An error is reported
 * by the first store_step(), as SQLite does. After an error PostgreSQL
 * refuses every further statement of the transaction, so the callback's
 * error is what the caller sees.
 *
 * Text PostgreSQL cannot hold: a text argument that is not valid UTF-8 (an id
 * from a path with "%ff") equals nothing stored, so a SELECT given one has no
 * rows, as on SQLite; any other statement is refused (ERR_INVALID).
 */
#include "engine.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/clock.h"
#include "../base/config.h"
#include "../base/ids.h"
#include "../base/utf8_repair.h"
#include "migrate.h"

#define PREPARED_MAX 1024	/* per connection; past that, unnamed statements */
#define ARGS_MAX 64
#define WRITE_TRIES 32
#define ACQUIRE_WAIT_S 30
#define MIGRATION_LOCK 0x72657461696eLL	/* "retain": one migrator at a time */

#define OID_INT8 20
#define OID_TEXT 25

struct prepared {
	char *sql;		/* the cache key, with the type string before it */
	char name[16];
};

struct conn {
	PGconn *pg;
	struct prepared cache[PREPARED_MAX];
	unsigned nprepared;
	struct conn *next_free;
};

struct store {
	char *url;		/* as given */
	char *shown;		/* the URL without its password, for messages */
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct conn **all;	/* the open connections, for pg_close() */
	int nall;
	int nconns, max;	/* open or being opened; at most max */
	struct conn *free;
	struct conn *lease;	/* holds this process's node number (claim_node_number) */
};

struct store_tx {
	struct store *st;
	struct conn *c;
	int unique_violation;
	int retry;		/* a statement failed with 40001 or 40P01 */
	int changes;
	int read_only;		/* pg_read's */
	int unique_retry;	/* a statement broke a unique constraint (pg_write) */
};

struct store_stmt {
	struct store_tx *tx;
	PGresult *res;
	int row, nrows;
	int stepped;
	int no_rows;		/* a SELECT that can match nothing, not run */
};

/* libpq's messages are several lines ("...failed: Connection refused\n\tIs
 * the server running ..."): one line, without the trailing newline. */
static void one_line(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		char ch = (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : *p;
		if (ch == ' ' && (w == s || w[-1] == ' '))
			continue;
		*w++ = ch;
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = 0;
}

static int pg_conn_error(struct err *e, struct store *st, PGconn *pg, const char *what)
{
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", pg ? PQerrorMessage(pg) : "out of memory");
	one_line(msg);
	return err_setc(e, ERR_UNAVAILABLE, "store_unavailable", "db",
			"%s PostgreSQL at \"%s\": %s", what, st->shown, msg);
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void conn_close(struct conn *c);
static int conn_exec(struct store *st, struct conn *c, const char *sql, char *state,
		     struct err *e);

/* The session settings, after every connection and reconnection. A prepared
 * statement's generic plan, made while a table was nearly empty, scans it
 * whole for ever after (an import slowed 3x as orders grew): plan each
 * execution with its arguments instead. */
static int conn_setup(struct store *st, struct conn *c, struct err *e)
{
	return conn_exec(st, c, "SET plan_cache_mode = force_custom_plan", NULL, e);
}

static int conn_open(struct store *st, struct conn **out, struct err *e)
{
	/* The URL comes last, so that what it says wins over these defaults. */
	const char *keys[] = { "connect_timeout", "application_name", "dbname", NULL };
	const char *values[] = { "10", "retain", st->url, NULL };
	PGconn *pg = PQconnectdbParams(keys, values, 1);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		int rc = pg_conn_error(e, st, pg, "cannot connect to");
		PQfinish(pg);
		return rc;
	}
	PQsetNoticeProcessor(pg, ignore_notice, NULL);
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->pg = pg;
	int rc = conn_setup(st, c, e);
	if (rc) {
		conn_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void conn_close(struct conn *c)
{
	for (unsigned i = 0; i < PREPARED_MAX; i++)
		free(c->cache[i].sql);
	PQfinish(c->pg);
	free(c);
}

/* A statement without arguments or rows (BEGIN, COMMIT, migrations). The
 * SQLSTATE of a failure into state (6 bytes) when state is not NULL. */
static int conn_exec(struct store *st, struct conn *c, const char *sql, char *state,
		     struct err *e)
{
	PGresult *r = PQexec(c->pg, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = 0;
	if (state)
		state[0] = 0;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state)
			snprintf(state, 6, "%s", code ? code : "");
		if (PQstatus(c->pg) != CONNECTION_OK) {
			rc = pg_conn_error(e, st, c->pg, "lost the connection to");
		} else {
			char msg[400];
			snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
			one_line(msg);
			rc = err_setc(e, ERR_INTERNAL, "store_error", NULL, "%s", msg);
		}
	}
	PQclear(r);
	return rc;
}

/* --- the pool --- */

/* Forgets what c prepared, after a reconnection. */
static void forget_prepared(struct conn *c)
{
	for (unsigned i = 0; i < PREPARED_MAX; i++) {
		free(c->cache[i].sql);
		c->cache[i].sql = NULL;
	}
	c->nprepared = 0;
}

/* A new session for c (its prepared statements and settings are gone). */
static int reconnect(struct store *st, struct conn *c)
{
	PQreset(c->pg);
	forget_prepared(c);
	return PQstatus(c->pg) == CONNECTION_OK ? conn_setup(st, c, NULL) : -1;
}

static int acquire(struct store *st, struct conn **out, struct err *e)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ACQUIRE_WAIT_S;
	pthread_mutex_lock(&st->lock);
	while (!st->free && st->nconns >= st->max) {
		if (pthread_cond_timedwait(&st->freed, &st->lock, &until) == ETIMEDOUT) {
			pthread_mutex_unlock(&st->lock);
			return err_setc(e, ERR_UNAVAILABLE, "store_busy", NULL,
					"every database connection is busy; retry shortly");
		}
	}
	if (st->free) {
		*out = st->free;
		st->free = st->free->next_free;
		pthread_mutex_unlock(&st->lock);
		return 0;
	}
	st->nconns++;		/* reserved while connecting, unlocked */
	pthread_mutex_unlock(&st->lock);
	struct conn *c = NULL;
	int rc = conn_open(st, &c, e);
	pthread_mutex_lock(&st->lock);
	if (rc) {
		st->nconns--;
		pthread_cond_signal(&st->freed);
	} else {
		st->all[st->nall++] = c;
		*out = c;
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* A connection the server dropped is reset (reconnected, its prepared
 * statements forgotten) before anyone gets it again. */
static void release(struct store *st, struct conn *c)
{
	if (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		reconnect(st, c);
	pthread_mutex_lock(&st->lock);
	c->next_free = st->free;
	st->free = c;
	pthread_cond_signal(&st->freed);
	pthread_mutex_unlock(&st->lock);
}

/* Starts a transaction. A connection the server dropped while it sat in the
 * pool (a restart, pg_terminate_backend) is only found out now: nothing has
 * run on it yet, so reconnect once and begin again. */
static int begin(struct store *st, struct conn *c, const char *sql, struct err *e)
{
	int rc = conn_exec(st, c, sql, NULL, e);
	if (rc && PQstatus(c->pg) != CONNECTION_OK && reconnect(st, c) == 0)
		rc = conn_exec(st, c, sql, NULL, e);
	return rc;
}

/* --- migrations --- */

static int is_word(const char *sql, const char *p, const char *word)
{
	size_t n = strlen(word);
	int starts = p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
	return starts && strncmp(p, word, n) == 0 && !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* The mechanical translation of a schema file (migrate.h): "STRICT" after a
 * table's closing parenthesis goes, the type INTEGER becomes BIGINT, and TEXT
 * compares byte by byte (COLLATE "C"), as SQLite's BINARY does, whatever the
 * database's locale: ids page and sort the same on both engines. */
static char *translate(const char *sql)
{
	static const char text_c[] = "TEXT COLLATE \"C\"";
	size_t n = strlen(sql);
	char *out = malloc(n * 4 + 1), *w = out;	/* TEXT grows 4 times at most */
	if (!out)
		abort();
	for (const char *p = sql; *p;) {
		if (is_word(sql, p, "INTEGER")) {
			memcpy(w, "BIGINT", 6), w += 6, p += 7;
			continue;
		}
		if (is_word(sql, p, "TEXT")) {
			memcpy(w, text_c, sizeof(text_c) - 1), w += sizeof(text_c) - 1, p += 4;
			continue;
		}
		if (*p == ')') {
			const char *q = p + 1;
			while (*q == ' ' || *q == '\t' || *q == '\n')
				q++;
			if (is_word(sql, q, "STRICT")) {
				*w++ = ')', p = q + 6;
				continue;
			}
		}
		*w++ = *p++;
	}
	*w = 0;
	return out;
}

static int current_version(struct store *st, struct conn *c, int *version, struct err *e)
{
	int rc = conn_exec(st, c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
				  "version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
				  "applied_at BIGINT NOT NULL)", NULL, e);
	if (rc)
		return rc;
	PGresult *r = PQexec(c->pg, "SELECT coalesce(max(version), 0) FROM schema_migrations");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return pg_conn_error(e, st, c->pg, "reading the schema version of");
	}
	*version = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

/* Each migration in its own transaction, under an advisory lock so that
 * nodes starting together apply it once. */
static int migrate(struct store *st, struct conn *c, struct err *e)
{
	const int known = migrations[migrations_count - 1].version;
	char lock[96];
	snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%lld)", MIGRATION_LOCK);

	for (int i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		int version = 0, rc;
		char *sql = NULL;
		if ((rc = conn_exec(st, c, "BEGIN", NULL, e)) ||
		    (rc = conn_exec(st, c, lock, NULL, e)) ||
		    (rc = current_version(st, c, &version, e)))
			goto fail;
		if (version > known) {
			rc = store_schema_too_new(e, version, known);
			goto fail;
		}
		if (m->version <= version) {
			conn_exec(st, c, "ROLLBACK", NULL, NULL);
			continue;
		}
		sql = m->pg_sql ? strdup(m->pg_sql) : translate(m->sql);
		if (!sql)
			abort();
		if ((rc = conn_exec(st, c, sql, NULL, e)))
			goto fail;
		char ins[256];
		snprintf(ins, sizeof(ins),
			 "INSERT INTO schema_migrations VALUES (%d, '%s', %lld)",
			 m->version, m->name, (long long)clock_now_ms());
		if ((rc = conn_exec(st, c, ins, NULL, e)) ||
		    (rc = conn_exec(st, c, "COMMIT", NULL, e)))
			goto fail;
		free(sql);
		continue;
fail:
		free(sql);
		conn_exec(st, c, "ROLLBACK", NULL, NULL);
		return store_migration_failed(e, rc, m);
	}
	return 0;
}

/* A database used as it is (must_exist): its version read, nothing created
 * or migrated, so a read such as `retain check` writes nothing. */
static int check_schema(struct store *st, struct conn *c, struct err *e)
{
	int version = -1;
	PGresult *r = PQexec(c->pg, "SELECT max(version) FROM schema_migrations");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		version = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return store_schema_check(e, st->shown, version, migrations[migrations_count - 1].version);
}

/* This process's node number for its ids (src/base/ids.h), leased for its
 * whole life: a session advisory lock (key space NODE_LOCK_SPACE, the number)
 * on a connection of its own, kept open until pg_close. The sequence of
 * migration 024 says where to start looking, so the nodes of one database
 * take the numbers in turn; a number whose lock another live process holds
 * is skipped, so two running nodes never share one however often numbers
 * came round (every open takes one: serve, and every CLI command). A node
 * whose lease connection broke keeps its number: another process would take
 * it only after the sequence came round to it again. */
#define NODE_LOCK_SPACE 0x72746e64	/* "rtnd" */
#define NODE_NUMBERS (1 << ID_NODE_BITS)

static int lease_try(PGconn *pg, long long n, int *taken)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT pg_try_advisory_lock(%d, %lld)", NODE_LOCK_SPACE, n);
	PGresult *r = PQexec(pg, sql);
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	*taken = ok && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return ok;
}

static int claim_node_number(struct store *st, struct err *e)
{
	int rc = conn_open(st, &st->lease, e);
	if (rc)
		return rc;
	PGresult *r = PQexec(st->lease->pg, "SELECT nextval('node_numbers')");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		PQclear(r);
		return pg_conn_error(e, st, st->lease->pg, "drawing a node number from");
	}
	long long start = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	for (long long i = 0; i < NODE_NUMBERS; i++) {
		long long n = (start + i) % NODE_NUMBERS;
		int taken;
		if (!lease_try(st->lease->pg, n, &taken))
			return pg_conn_error(e, st, st->lease->pg, "leasing a node number on");
		if (taken) {
			id_set_node((uint64_t)n);
			return 0;
		}
	}
	return err_setc(e, ERR_UNAVAILABLE, "node_numbers_exhausted", "db",
			"all %d node numbers of PostgreSQL at \"%s\" are held by running"
			" retain processes", NODE_NUMBERS, st->shown);
}

/* --- the engine --- */

static void pg_close(struct store *st)
{
	if (st->lease)
		conn_close(st->lease);		/* the node number's lock goes with it */
	for (int i = 0; i < st->nall; i++)
		conn_close(st->all[i]);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->freed);
	free(st->all);
	free(st->url);
	free(st->shown);
	free(st);
}

static int pg_open(const char *url, const struct store_options *o, struct store **out,
		   struct err *e)
{
	struct store *st = calloc(1, sizeof(*st));
	struct conn *c;
	char *msg = NULL;
	int rc;

	if (!st)
		abort();
	st->url = strdup(url);
	size_t n = strlen(url) + 1;
	if ((st->shown = malloc(n)))
		config_redact_url(url, st->shown, n);
	st->max = o->connections > 0 ? o->connections : 8;
	st->all = calloc((size_t)st->max, sizeof(*st->all));
	if (!st->url || !st->shown || !st->all)
		abort();
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->freed, NULL);
	/* A URL libpq cannot parse is named as such, before any connection. */
	PQconninfoOption *opts = PQconninfoParse(url, &msg);
	if (!opts) {
		char m[300];
		snprintf(m, sizeof(m), "%s", msg ? msg : "out of memory");
		one_line(m);
		/* exit 1 like an unreachable server (issue 9), not 2 */
		rc = err_setc(e, ERR_UNAVAILABLE, "db_invalid", "db",
			      "\"%s\" is not a PostgreSQL URL libpq accepts: %s", st->shown, m);
		PQfreemem(msg);
		pg_close(st);
		return rc;
	}
	PQconninfoFree(opts);
	if ((rc = acquire(st, &c, e))) {
		pg_close(st);
		return rc;
	}
	rc = o->must_exist ? check_schema(st, c, e) : migrate(st, c, e);
	release(st, c);
	if (!rc)
		rc = claim_node_number(st, e);
	if (rc) {
		pg_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

static int is_retryable(const char *state)
{
	return strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0;
}

/* A random pause before try n (1, 2 ...): up to 1 ms, 2 ms, 4 ms ... 64 ms. */
static void backoff(int n)
{
	static __thread unsigned seed;
	if (!seed)
		seed = (unsigned)clock_now_ms() ^ (unsigned)(uintptr_t)&seed;
	long cap_us = 1000L << (n < 7 ? n - 1 : 6);
	long us = (long)(rand_r(&seed) % (unsigned)cap_us) + 100;
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

/* A unique violation in a SERIALIZABLE write is often a concurrent insert
 * of the same key that the write's snapshot could not see: it had read the
 * key's absence, as core/ does before inserting (a grant, a claim, a
 * reservation), and PostgreSQL reports 23505 rather than a serialization
 * failure when the read did not lock the index entry the insert met (one
 * customer's claims through three nodes answered a raw 409 "duplicate key").
 * The callback runs again, up to UNIQUE_TRIES times in all, and then sees the
 * row and gives its own answer (already claimed, the same grant); a real
 * duplicate fails the same way each time and is answered as before. */
#define UNIQUE_TRIES 3

static int pg_write(struct store *st, store_fn fn, void *ctx, struct err *e)
{
	int unique_tries = 0;
	for (int n = 1;; n++) {
		struct store_tx tx = { .st = st };
		char state[6] = "";
		int rc = acquire(st, &tx.c, e);
		if (rc)
			return rc;
		rc = begin(st, tx.c, "BEGIN ISOLATION LEVEL SERIALIZABLE", e);
		if (!rc) {
			rc = fn(&tx, ctx, e);
			if (rc == 0 && PQtransactionStatus(tx.c->pg) == PQTRANS_INERROR)
				rc = err_setc(e, ERR_INTERNAL, "store_error", NULL,
					      "a statement failed and the write went on");
			if (rc == 0)
				rc = conn_exec(st, tx.c, "COMMIT", state, e);
			else
				conn_exec(st, tx.c, "ROLLBACK", NULL, NULL);
		}
		release(st, tx.c);
		if (rc != 0 && tx.unique_retry && !tx.retry && ++unique_tries < UNIQUE_TRIES)
			continue;
		if (rc == 0 || !(tx.retry || is_retryable(state)))
			return rc;
		if (n == WRITE_TRIES)
			return err_setc(e, ERR_UNAVAILABLE, "store_busy", NULL,
					"the database is busy (%d tries); retry shortly", n);
		backoff(n);
	}
}

static int pg_read(struct store *st, store_fn fn, void *ctx, struct err *e)
{
	struct store_tx tx = { .st = st, .read_only = 1 };
	int rc = acquire(st, &tx.c, e);
	if (rc)
		return rc;
	rc = begin(st, tx.c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	if (!rc) {
		rc = fn(&tx, ctx, e);
		conn_exec(st, tx.c, rc ? "ROLLBACK" : "COMMIT", NULL, NULL);
	}
	release(st, tx.c);
	return rc;
}

static int pg_scrub(struct store *st, struct err *e)
{
	(void)st;
	(void)e;
	return 0;	/* store.h: nothing on PostgreSQL */
}

static int pg_ping(struct store *st, struct err *e)
{
	struct conn *c;
	int rc = acquire(st, &c, e);
	if (rc)
		return rc;
	rc = begin(st, c, "SELECT 1", e);
	release(st, c);
	return rc;
}

/* --- statements --- */

static unsigned hash_sql(const char *types, const char *sql)
{
	unsigned h = 2166136261u;
	for (const char *s = types; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h = (h ^ 1u) * 16777619u;
	for (const char *s = sql; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int same_key(const char *key, const char *types, const char *sql)
{
	size_t n = strlen(types);
	return strncmp(key, types, n) == 0 && key[n] == 1 && strcmp(key + n + 1, sql) == 0;
}

/* The name of sql prepared on c ("" when the cache is full: unnamed). */
static const char *prepared_name(struct store_tx *tx, const char *sql, const char *types,
				 struct err *e)
{
	struct conn *c = tx->c;
	unsigned h = hash_sql(types, sql);
	struct prepared *slot = NULL;
	for (unsigned i = 0; i < PREPARED_MAX; i++) {
		struct prepared *p = &c->cache[(h + i) % PREPARED_MAX];
		if (!p->sql) {
			slot = p;
			break;
		}
		if (same_key(p->sql, types, sql))
			return p->name;
	}
	Oid oids[ARGS_MAX];
	int n = (int)strlen(types);
	for (int i = 0; i < n; i++)
		oids[i] = types[i] == 'i' ? OID_INT8 : OID_TEXT;
	char name[16] = "";
	if (slot && c->nprepared < PREPARED_MAX * 3 / 4)
		snprintf(name, sizeof(name), "r%u", ++c->nprepared);
	else
		slot = NULL;
	PGresult *r = PQprepare(c->pg, name, sql, n, oids);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		char msg[400];
		if (state && is_retryable(state))
			tx->retry = 1;
		snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(r));
		one_line(msg);
		err_setc(e, ERR_INTERNAL, "store_error", NULL, "prepare: %s", msg);
		PQclear(r);
		return NULL;
	}
	PQclear(r);
	if (!slot)
		return "";
	size_t tn = strlen(types), sn = strlen(sql);
	slot->sql = malloc(tn + 1 + sn + 1);
	if (!slot->sql)
		abort();
	memcpy(slot->sql, types, tn);
	slot->sql[tn] = 1;
	memcpy(slot->sql + tn + 1, sql, sn + 1);
	snprintf(slot->name, sizeof(slot->name), "%s", name);
	return slot->name;
}

static int is_select(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "WITH", 4) == 0;
}

static struct store_stmt *pg_query(struct store_tx *tx, struct err *e, const char *sql,
				   const char *types, va_list ap)
{
	int n = (int)strlen(types);
	tx->unique_violation = 0;	/* store.h: the latest statement's */
	if (n > ARGS_MAX) {
		err_setc(e, ERR_INTERNAL, "store_error", NULL, "more than %d arguments", ARGS_MAX);
		return NULL;
	}
	const char *name = prepared_name(tx, sql, types, e);
	if (!name)
		return NULL;
	char ints[ARGS_MAX][24];
	const char *values[ARGS_MAX];
	int bad_text = 0;
	for (int i = 0; i < n; i++) {
		if (types[i] == 'i') {
			snprintf(ints[i], sizeof(ints[i]), "%lld", (long long)va_arg(ap, int64_t));
			values[i] = ints[i];
		} else {
			values[i] = va_arg(ap, const char *);
			if (values[i] && !utf8_repair_is_valid(values[i], strlen(values[i])))
				bad_text = 1;
		}
	}
	if (bad_text && !is_select(sql)) {
		err_setc(e, ERR_INVALID, "parameter_invalid", NULL, "text that is not UTF-8");
		return NULL;
	}
	struct store_stmt *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->tx = tx;
	s->no_rows = bad_text;
	if (!bad_text) {
		s->res = PQexecPrepared(tx->c->pg, name, n, values, NULL, NULL, 0);
		/* A serialization failure is the transaction's, whether or not the
		 * caller ever steps this statement (a loop that reads nothing when
		 * a count said 0): the write is retried either way. */
		const char *state = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
		if (state && is_retryable(state))
			tx->retry = 1;
	}
	return s;
}

static int pg_step(struct store_stmt *s, struct err *e)
{
	if (s->no_rows)
		return 0;
	if (!s->stepped) {
		ExecStatusType st = PQresultStatus(s->res);
		s->stepped = 1;
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			const char *n = PQcmdTuples(s->res);
			s->nrows = PQntuples(s->res);
			s->tx->changes = n && *n ? atoi(n) : 0;
			s->row = -1;
		} else {
			const char *state = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
			char msg[400];
			snprintf(msg, sizeof(msg), "%s", PQresultErrorMessage(s->res));
			one_line(msg);
			s->nrows = -1;
			if (state && strcmp(state, "23505") == 0) {
				s->tx->unique_violation = 1;
				s->tx->unique_retry = 1;
				return err_setc(e, ERR_CONFLICT, "unique_violation", NULL, "%s", msg);
			}
			if (state && is_retryable(state)) {
				s->tx->retry = 1;
				return err_setc(e, ERR_UNAVAILABLE, "store_busy", NULL,
						"the database is busy; retry shortly");
			}
			if (PQstatus(s->tx->c->pg) != CONNECTION_OK)
				return pg_conn_error(e, s->tx->st, s->tx->c->pg,
						     "lost the connection to");
			return err_setc(e, ERR_INTERNAL, "store_error", NULL, "step: %s", msg);
		}
	}
	if (s->nrows < 0)
		return err_setc(e, ERR_INTERNAL, "store_error", NULL, "step after an error");
	if (s->row + 1 >= s->nrows) {
		s->row = s->nrows;
		return 0;
	}
	s->row++;
	return 1;
}

/* Booleans come back as "t" and "f": 1 and 0, as SQLite gives them. */
static int64_t pg_int(struct store_stmt *s, int col)
{
	const char *v = PQgetvalue(s->res, s->row, col);
	if (v[0] == 't' && !v[1])
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *pg_text(struct store_stmt *s, int col)
{
	if (PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int pg_is_null(struct store_stmt *s, int col)
{
	return PQgetisnull(s->res, s->row, col);
}

static void pg_done(struct store_stmt *s)
{
	PQclear(s->res);
	free(s);
}

static int pg_changes(struct store_tx *tx)
{
	return tx->changes;
}

static int pg_read_only(struct store_tx *tx)
{
	return tx->read_only;
}

static int pg_was_unique_violation(struct store_tx *tx)
{
	return tx->unique_violation;
}

/* An advisory lock of the transaction (store.h): released by its end. */
/* Through the engine itself, as BEGIN and COMMIT: the store's fault
 * injection counts the domain's statements only (store.h). */
static struct store_stmt *control_query(struct store_tx *tx, struct err *e, const char *sql,
					const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct store_stmt *s = pg_query(tx, e, sql, types, ap);
	va_end(ap);
	return s;
}

static int pg_try_lock(struct store_tx *tx, int64_t key, struct err *e)
{
	struct store_stmt *s = control_query(tx, e, "SELECT pg_try_advisory_xact_lock($1)", "i", key);
	if (!s)
		return e ? e->kind : ERR_INTERNAL;
	int rc = pg_step(s, e);
	int taken = rc == 1 && pg_int(s, 0) != 0;
	pg_done(s);
	return rc < 0 ? rc : taken;
}

const struct store_engine pg_engine = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.write = pg_write,
	.read = pg_read,
	.scrub = pg_scrub,
	.ping = pg_ping,
	.query = pg_query,
	.step = pg_step,
	.int_at = pg_int,
	.text_at = pg_text,
	.is_null = pg_is_null,
	.done = pg_done,
	.changes = pg_changes,
	.was_unique_violation = pg_was_unique_violation,
	.read_only = pg_read_only,
	.try_lock = pg_try_lock,
};
