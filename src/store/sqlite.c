/*
 * sqlite.c: the SQLite implementation of store.h.
 *
 * One write connection guarded by a mutex, written through group commit
 * (store_write below, src/store/group.c), whose fsync happens after the
 * COMMIT, outside the mutex (struct durable); one read connection per thread
 * (created on first use, closed with the store), so WAL readers never wait
 * for the writer. Prepared statements are cached per connection by SQL text.
 * store.c reaches it through sqlite_engine (at the end).
 */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/clock.h"
#include "../base/contact.h"
#include "../base/log.h"
#include "group.h"
#include "migrate.h"
#include "sqlite_mem.h"
#include "sqlite_pcache.h"
#include "sqlite_powerloss.h"
#include "sqlite_wal.h"

#define STMT_CACHE 256
/* How long a connection waits for a lock before SQLITE_BUSY. */
#define BUSY_TIMEOUT_MS 10000
/* A scrub waits this long for readers to leave the WAL, holding the writer
 * lock (every write waits behind it); one that could not finish is retried
 * after a later write, at most once per SCRUB_RETRY_MS. */
#define SCRUB_WAIT_MS 100
#define SCRUB_RETRY_MS 1000
/* With the commit split (durable_*, below): the log is checkpointed by its
 * own thread once it holds this many pages (SQLite's own default). */
#define CHECKPOINT_PAGES 1000
/* How much of the database file a reader connection maps (PRAGMA
 * mmap_size): address space, not memory; past it, pread() as before. */
#define READER_MMAP_BYTES "1073741824"

struct store_stmt {
	char *sql;		/* as given (with $N), the cache key */
	sqlite3_stmt *st;
	struct store_tx *tx;
	int busy, owned;
};

struct conn {
	sqlite3 *db;
	struct store_stmt cache[STMT_CACHE];
	/* The cache entry last found for an SQL text at this address: the
	 * texts are mostly literals, so this finds an entry without hashing
	 * the text (still compared, as a buffer may hold another text later). */
	struct store_stmt *by_address[STMT_CACHE];
	struct conn *next;	/* all connections, for store_close() */
};

struct store_tx {
	struct conn *conn;
	int unique_violation;
	int read_only;		/* read_tx's */
};

/*
 * The split commit (group commit on, the default). The writer commits with
 * synchronous=NORMAL: its COMMIT appends the batch to the write-ahead log
 * without waiting for the disk, and the batch's leader then calls fdatasync
 * on the log itself, outside the write lock (durable_wait), while the next
 * batch already runs. One fdatasync covers every batch committed before it
 * started. Checkpoints leave the COMMIT too: a thread of their own copies
 * the log into the database (durable_checkpointer). Batches are numbered:
 *   committing  the last batch whose COMMIT began (readers may see it)
 *   committed   the last whose COMMIT returned (what a sync covers)
 *   synced      the last that is durable
 * A reader whose snapshot may hold batches not yet durable waits for them
 * before it returns (sqlite_read), so nothing is shown before it is durable.
 * A failed fdatasync leaves the log in doubt: every later write and every
 * read that would wait gets ERR_UNAVAILABLE until retain is restarted.
 */
struct durable {
	int on;
	_Atomic uint64_t committing, committed, synced;
	pthread_mutex_t lock;	/* the fields below */
	pthread_cond_t committed_moved, synced_moved, checkpoint_wanted;
	int committed_waiters;	/* waiting on committed_moved */
	int syncing, failed;
	uint64_t sync_target;	/* what the sync in flight covers */
	int wal_fd;		/* the log, for fdatasync: -1 until opened */
	int checkpoint_due, stopping, started;
	pthread_t checkpointer;
	pthread_mutex_t checkpoint_lock;	/* one checkpoint at a time (a scrub too) */
	_Atomic int wal_pages;
};

struct store {
	char *path;
	struct conn *writer;
	pthread_mutex_t write_lock;
	pthread_key_t reader_key;
	pthread_mutex_t conns_lock;
	struct conn *readers;
	double scrub_retry_at;	/* monotonic ms a due scrub is retried at; 0: none due */
	struct group group;	/* group commit of store_write() */
	struct durable durable;	/* when the commit is split (group commit on) */
};

static void group_setup(struct store *st);
static int group_splits_commit(struct store *st);
static int durable_start(struct store *st, struct err *e);
static void durable_stop(struct store *st);

static int sqlite_error(struct err *e, sqlite3 *db, int rc, const char *what)
{
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return err_setc(e, ERR_UNAVAILABLE, "store_busy", NULL,
				"the database is busy; retry shortly");
	return err_setc(e, ERR_INTERNAL, "store_error", NULL, "%s: %s", what,
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

static int conn_exec(struct conn *c, const char *sql, struct err *e)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		int kind = sqlite_error(e, c->db, rc, "exec");
		if (msg && e && kind == ERR_INTERNAL)
			snprintf(e->message, sizeof(e->message), "%s", msg);
		sqlite3_free(msg);
		return kind;
	}
	return 0;
}

/* retain_fold_email(text): contact_normalize_email() for SQL, so that a
 * migration re-normalises stored addresses with the code the API uses; a
 * value it refuses comes back unchanged. */
static void sql_fold_email(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *v = sqlite3_value_text(argv[0]);
	char out[CONTACT_EMAIL_MAX];
	struct err e;
	(void)argc;
	if (!v) {
		sqlite3_result_null(ctx);
		return;
	}
	if (contact_normalize_email((const char *)v, out, "email", &e))
		sqlite3_result_value(ctx, argv[0]);
	else
		sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* Under the simulated power cut: the latest write when this thread's last
 * COMMIT returned (batch_run, batch_sync). */
static _Thread_local uint64_t commit_mark;

/* The writer's VFS: its commits go to the log in one write each
 * (sqlite_wal.h); NULL, the default, when it could not be registered. */
static const char *writer_vfs;

/* Readers and an existing database's writer never create the file. */
static int conn_open(const char *path, int reader, int create, struct conn **out, struct err *e)
{
	struct conn *c = calloc(1, sizeof(*c));
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
	int rc;

	if (!c)
		abort();
	rc = sqlite3_open_v2(path, &c->db, flags, reader ? NULL : writer_vfs);
	if (rc != SQLITE_OK) {
		int sys = c->db ? sqlite3_system_errno(c->db) : 0;
		err_setc(e, ERR_INTERNAL, "store_open", "db", "cannot open database \"%s\": %s",
			 path, sys ? strerror(sys) : c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		free(c);
		return ERR_INTERNAL;
	}
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_create_function_v2(c->db, "retain_fold_email", 1,
				   SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_fold_email,
				   NULL, NULL, NULL);
	/* secure_delete: deleted rows are overwritten with zeros, so an erased
	 * customer's data does not linger in free space (store_scrub). */
	rc = conn_exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16000;"
			  "PRAGMA secure_delete=ON;", e);
	if (!rc && reader)
		rc = conn_exec(c, "PRAGMA query_only=1;", e);
	/* Readers read the database file through a shared mapping of the OS's
	 * page cache instead of pread() into a page cache of their own (one
	 * per thread, each filled from the OS again): validate 1.3-1.5x
	 * (bench/README.md, coupons). Pages in the log are still read from it.
	 * The writer does not map (its durability is unchanged). */
	if (!rc && reader)
		rc = conn_exec(c, "PRAGMA mmap_size=" READER_MMAP_BYTES ";", e);
	/* The writer's sub-journal (what a batch's SAVEPOINT rolls back to)
	 * stays in memory: on file it spilled past 64 KiB into a new temporary
	 * file per batch, written page by page (bench/README.md, paid orders).
	 * It holds each page a savepoint changed once, and nothing of it is
	 * needed after a crash: the log is what recovers. */
	if (!rc && !reader)
		rc = conn_exec(c, "PRAGMA temp_store=MEMORY;", e);
	if (rc) {
		sqlite3_close(c->db);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void conn_close(struct conn *c)
{
	for (int i = 0; i < STMT_CACHE; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
	}
	sqlite3_close(c->db);
	free(c);
}

static int current_version(struct conn *c, int *version, struct err *e)
{
	sqlite3_stmt *st;
	int rc = conn_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			      "version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
			      "applied_at INTEGER NOT NULL) STRICT", e);
	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(c->db, "SELECT coalesce(max(version), 0) FROM schema_migrations",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sqlite_error(e, c->db, rc, "reading the schema version");
	sqlite3_step(st);
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Applies the migrations the database lacks: how many, or an error (< 0). */
static int migrate(struct conn *c, struct err *e)
{
	int version = 0, rc, applied = 0;

	if ((rc = current_version(c, &version, e)))
		return rc;
	if (version > migrations[migrations_count - 1].version)
		return store_schema_too_new(e, version, migrations[migrations_count - 1].version);
	for (int i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		if ((rc = conn_exec(c, "BEGIN IMMEDIATE", e)))
			return rc;
		if ((rc = current_version(c, &version, e)))
			goto fail;
		if (m->version <= version) {
			conn_exec(c, "ROLLBACK", NULL);
			continue;
		}
		if ((rc = conn_exec(c, m->sql, e)))
			goto fail;
		char sql[256];
		snprintf(sql, sizeof(sql),
			 "INSERT INTO schema_migrations VALUES (%d, '%s', %lld)",
			 m->version, m->name, (long long)clock_now_ms());
		if ((rc = conn_exec(c, sql, e)) || (rc = conn_exec(c, "COMMIT", e)))
			goto fail;
		applied++;
		continue;
fail:
		conn_exec(c, "ROLLBACK", NULL);
		return store_migration_failed(e, rc, m);
	}
	return applied;
}

static void reader_destroy(void *p)
{
	(void)p;	/* closed by store_close(), which knows every connection */
}

/* Before an existing database is opened (which would write: WAL mode goes
 * into its header): a file that is no SQLite database at all, an empty one
 * among them, is refused untouched. */
static int check_existing_file(const char *path, struct err *e)
{
	struct stat sb;
	char magic[16] = { 0 };
	FILE *f;

	if (stat(path, &sb) < 0 && errno == ENOENT)
		return err_setc(e, ERR_NOT_FOUND, "db_missing", "db", "no database at \"%s\"", path);
	if ((f = fopen(path, "rb"))) {
		size_t n = fread(magic, 1, sizeof(magic), f);
		fclose(f);
		if (n < sizeof(magic) || memcmp(magic, "SQLite format 3", 16) != 0)
			return err_setc(e, ERR_NOT_FOUND, "db_not_retain", "db",
					"\"%s\" is %s, not a retain database (\"retain migrate\""
					" makes one)", path, n == 0 ? "an empty file" : "another kind of file");
	}
	return 0;
}

/* An existing database is used as it is, never migrated: only the commands
 * that set a database up (serve, migrate, demo, shop create) change its
 * schema, so a read such as `retain check` writes nothing. */
static int check_schema_version(sqlite3 *db, const char *path, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int version = -1, latest = migrations[migrations_count - 1].version;

	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_migrations", -1, &st,
			       NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return store_schema_check(e, path, version, latest);
}

/* The same before the writer opens it (its pragmas would write: WAL mode
 * into the header of a database that is not yet in it), read as an immutable
 * file so that not even a -wal is left behind. A database with a WAL still to
 * be checkpointed (a crash) is checked on the writer instead: *later = 1. */
static int check_existing_schema(const char *path, int *later, struct err *e)
{
	char wal[4096], uri[4200];
	struct stat sb;
	sqlite3 *db = NULL;
	int rc;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	/* (a name a URI would read otherwise, with ? # or %, too) */
	*later = (stat(wal, &sb) == 0 && sb.st_size > 0) || strpbrk(path, "?#%") ||
		 strlen(path) > 4096;
	if (*later)
		return 0;
	snprintf(uri, sizeof(uri), "file:%s?immutable=1", path);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		*later = 1;
		return 0;
	}
	rc = check_schema_version(db, path, e);
	sqlite3_close(db);
	return rc;
}

static void sqlite_close(struct store *st);
static int sqlite_scrub(struct store *st, struct err *e);

static int open_store(const char *path, int create, struct store **out, struct err *e)
{
	struct store *st;
	int rc, later = 0;

	if (!create &&
	    ((rc = check_existing_file(path, e)) || (rc = check_existing_schema(path, &later, e))))
		return rc;
	if (!(st = calloc(1, sizeof(*st))))
		abort();
	st->path = strdup(path);
	pthread_mutex_init(&st->write_lock, NULL);
	pthread_mutex_init(&st->conns_lock, NULL);
	pthread_key_create(&st->reader_key, reader_destroy);
	group_setup(st);
	if ((rc = conn_open(path, 0, create, &st->writer, e)) ||
	    (create && (rc = migrate(st->writer, e)) < 0) ||
	    (later && (rc = check_schema_version(st->writer->db, path, e)))) {
		sqlite_close(st);
		return rc;
	}
	/* A migration may rewrite what must be gone (005: stored shop keys): no
	 * old page image of it stays in the files either. */
	if (rc > 0)
		sqlite_scrub(st, NULL);
	if (group_splits_commit(st) && (rc = durable_start(st, e))) {
		sqlite_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

/* Process-wide, before SQLite's first use: no memory statistics. With them
 * on (SQLite's default) every allocation of every connection takes one
 * global mutex, and the readers of concurrent requests queued on it
 * (perf: 5% of a validation's CPU in pthread_mutex_lock/unlock under
 * sqlite3VdbeMemGrow and friends; bench/README.md "Coupons", fourth round).
 * retain never reads sqlite3_memory_used(). */
static pthread_once_t configured = PTHREAD_ONCE_INIT;

static void configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);	/* SQLITE_MISUSE once initialized */
	sqlite_mem_install();	/* without it, SQLite's own allocator as it is */
	sqlite_pcache_install();	/* without it, SQLite's own cache as it is */
	/* tests only (--test-clock and RETAIN_TEST_POWER_LOSS=1): under the
	 * log's VFS, so that it and the readers go through it */
	if (sqlite_powerloss_install())
		log_warn("power loss simulated", ",\"unsynced_writes\":\"lost at kill -9\"");
	writer_vfs = sqlite_wal_vfs();
}

static int sqlite_open(const char *path, const struct store_options *o, struct store **out,
		       struct err *e)
{
	pthread_once(&configured, configure);
	return open_store(path, !o->must_exist, out, e);
}

static void sqlite_close(struct store *st)
{
	if (!st)
		return;
	durable_stop(st);
	struct conn *c = st->readers;
	while (c) {
		struct conn *next = c->next;
		conn_close(c);
		c = next;
	}
	if (st->writer)
		conn_close(st->writer);
	pthread_key_delete(st->reader_key);
	group_destroy(&st->group);
	pthread_mutex_destroy(&st->write_lock);
	pthread_mutex_destroy(&st->conns_lock);
	free(st->path);
	free(st);
}

/* The TRUNCATE checkpoint of store_scrub(), with write_lock held: waits at
 * most SCRUB_WAIT_MS for readers; on failure the scrub stays due. */
static int scrub_locked(struct store *st)
{
	int log = 0, done = 0;
	pthread_mutex_lock(&st->durable.checkpoint_lock);
	sqlite3_busy_timeout(st->writer->db, SCRUB_WAIT_MS);
	int rc = sqlite3_wal_checkpoint_v2(st->writer->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
					   &log, &done);
	sqlite3_busy_timeout(st->writer->db, BUSY_TIMEOUT_MS);
	pthread_mutex_unlock(&st->durable.checkpoint_lock);
	st->scrub_retry_at = rc == SQLITE_OK ? 0 : clock_monotonic_ms() + SCRUB_RETRY_MS;
	return rc;
}

/* ---- the split commit (struct durable above) ---- */

static void durable_init(struct durable *d)
{
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->committed_moved, NULL);
	pthread_cond_init(&d->synced_moved, NULL);
	pthread_cond_init(&d->checkpoint_wanted, NULL);
	pthread_mutex_init(&d->checkpoint_lock, NULL);
	d->wal_fd = -1;
}

/* The log's own descriptor: fdatasync through any descriptor of the file
 * makes what the writer connection wrote to it durable. Reopened if the file
 * was replaced (it is not while the writer holds the database open). */
static int wal_sync(struct store *st)
{
	struct durable *d = &st->durable;
	struct stat sb;
	if (d->wal_fd >= 0 && fstat(d->wal_fd, &sb) == 0 && sb.st_nlink == 0) {
		close(d->wal_fd);
		d->wal_fd = -1;
	}
	if (d->wal_fd < 0) {
		char wal[4200];
		snprintf(wal, sizeof(wal), "%s-wal", st->path);
		if ((d->wal_fd = open(wal, O_RDWR | O_CLOEXEC)) < 0)
			return errno;
	}
	uint64_t mark = sqlite_powerloss_mark();
	if (fdatasync(d->wal_fd) != 0)
		return errno;
	sqlite_powerloss_synced(mark);
	return 0;
}

static int durable_failed(struct err *e)
{
	return err_setc(e, ERR_UNAVAILABLE, "store_sync_failed", NULL,
			"the database could not be written to disk; restart retain");
}

/* Returns once batch t is durable: syncs itself, or waits for the sync in
 * flight (which covers t if t had committed when it started). */
static int durable_wait(struct store *st, uint64_t t, struct err *e)
{
	struct durable *d = &st->durable;
	pthread_mutex_lock(&d->lock);
	while (!d->failed && atomic_load(&d->synced) < t) {
		uint64_t target = atomic_load(&d->committed);
		if (d->syncing) {
			pthread_cond_wait(&d->synced_moved, &d->lock);
			continue;
		}
		if (target < t) {	/* t's COMMIT is still running */
			d->committed_waiters++;
			pthread_cond_wait(&d->committed_moved, &d->lock);
			d->committed_waiters--;
			continue;
		}
		d->syncing = 1;
		d->sync_target = target;
		pthread_mutex_unlock(&d->lock);
		int rc = wal_sync(st);
		pthread_mutex_lock(&d->lock);
		d->syncing = 0;
		if (rc) {
			d->failed = 1;
			log_error("database sync failed", ",\"error\":\"%s\"", strerror(rc));
		} else if (target > atomic_load(&d->synced)) {
			atomic_store(&d->synced, target);
		}
		pthread_cond_broadcast(&d->synced_moved);
	}
	int failed = d->failed;
	pthread_mutex_unlock(&d->lock);
	return failed ? durable_failed(e) : 0;
}

/* A read's snapshot holds at most the batches whose COMMIT began before it
 * ends: it waits for those to be durable. */
static int durable_read_done(struct store *st, struct err *e)
{
	struct durable *d = &st->durable;
	if (!d->on)
		return 0;
	uint64_t t = atomic_load(&d->committing);
	return t > atomic_load(&d->synced) ? durable_wait(st, t, e) : 0;
}

/* write_lock held, before the COMMIT: the batch's number, 0 when the
 * commit is not split. */
static uint64_t durable_begin(struct store *st)
{
	struct durable *d = &st->durable;
	if (!d->on)
		return 0;
	uint64_t t = atomic_load(&d->committing) + 1;
	atomic_store(&d->committing, t);
	return t;
}

static void *durable_checkpointer(void *arg);

/* write_lock held, after the COMMIT (whatever it returned). */
static void durable_end(struct store *st, uint64_t t)
{
	struct durable *d = &st->durable;
	if (!t)
		return;
	pthread_mutex_lock(&d->lock);
	atomic_store(&d->committed, t);
	if (atomic_load(&d->wal_pages) >= CHECKPOINT_PAGES && !d->checkpoint_due) {
		d->checkpoint_due = 1;
		if (!d->started && !pthread_create(&d->checkpointer, NULL, durable_checkpointer, st))
			d->started = 1;
		pthread_cond_signal(&d->checkpoint_wanted);
	}
	if (d->committed_waiters)
		pthread_cond_broadcast(&d->committed_moved);
	pthread_mutex_unlock(&d->lock);
}

/* The writer's log hook, called by its COMMIT: how large the log is. */
static int on_wal(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store *st = arg;
	(void)db, (void)name;
	atomic_store(&st->durable.wal_pages, pages);
	return SQLITE_OK;
}

/* Copies the log into the database on a connection of its own: first while
 * the batches go on (most of the log), then holding the write lock for what
 * they added meanwhile, so that the log is copied whole and the next write
 * starts it over instead of letting it grow. A checkpoint syncs the log
 * before it copies and the database after. */
static void checkpoint_once(struct store *st, struct conn *c)
{
	struct durable *d = &st->durable;
	int log = 0, done = 0;
	pthread_mutex_lock(&d->checkpoint_lock);
	sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
	pthread_mutex_unlock(&d->checkpoint_lock);
	pthread_mutex_lock(&st->write_lock);
	pthread_mutex_lock(&d->checkpoint_lock);
	if (sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
	    SQLITE_OK && log == done)
		atomic_store(&d->wal_pages, 0);
	pthread_mutex_unlock(&d->checkpoint_lock);
	pthread_mutex_unlock(&st->write_lock);
}

static void *durable_checkpointer(void *arg)
{
	struct store *st = arg;
	struct durable *d = &st->durable;
	struct conn *c = NULL;
	if (conn_open(st->path, 0, 0, &c, NULL))
		c = NULL;
	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		if (!d->checkpoint_due) {
			pthread_cond_wait(&d->checkpoint_wanted, &d->lock);
			continue;
		}
		pthread_mutex_unlock(&d->lock);
		if (c)
			checkpoint_once(st, c);
		pthread_mutex_lock(&d->lock);
		d->checkpoint_due = 0;
	}
	pthread_mutex_unlock(&d->lock);
	if (c)
		conn_close(c);
	return NULL;
}

/* After open (migrations are committed the ordinary way): splits the
 * writer's commit. */
static int durable_start(struct store *st, struct err *e)
{
	int rc = conn_exec(st->writer, "PRAGMA synchronous=NORMAL", e);
	if (rc)
		return rc;
	sqlite3_wal_hook(st->writer->db, on_wal, st);	/* replaces autocheckpoint */
	st->durable.on = 1;
	return 0;
}

static void durable_stop(struct store *st)
{
	struct durable *d = &st->durable;
	pthread_mutex_lock(&d->lock);
	d->stopping = 1;
	pthread_cond_signal(&d->checkpoint_wanted);
	int started = d->started;
	pthread_mutex_unlock(&d->lock);
	if (started)
		pthread_join(d->checkpointer, NULL);
	if (d->wal_fd >= 0)
		close(d->wal_fd);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->committed_moved);
	pthread_cond_destroy(&d->synced_moved);
	pthread_cond_destroy(&d->checkpoint_wanted);
	pthread_mutex_destroy(&d->checkpoint_lock);
}

/*
 * Group commit. Concurrent store_write() calls queue in st->group; the first
 * in the queue runs everyone queued at that moment in one transaction, each
 * callback in its own SAVEPOINT, and COMMITs once (one fsync) before any of
 * them returns. A callback that fails is rolled back to its savepoint: its
 * writes vanish, the batch's other callbacks commit. A batch of one has no
 * savepoint and is exactly the old one-transaction-per-write path.
 *
 * batch_exec(): a statement without rows through the connection's statement
 * cache, so the batch's BEGIN, SAVEPOINT, RELEASE and COMMIT are parsed once.
 */
static struct store_stmt *vquery(struct store_tx *tx, struct err *e, const char *sql,
				 const char *types, va_list ap);
static int sqlite_step(struct store_stmt *s, struct err *e);
static void sqlite_done(struct store_stmt *s);

static struct store_stmt *control_query(struct store_tx *tx, struct err *e, const char *sql, ...)
{
	va_list ap;
	va_start(ap, sql);
	struct store_stmt *s = vquery(tx, e, sql, "", ap);
	va_end(ap);
	return s;
}

/* BEGIN, COMMIT, SAVEPOINT and their kin, from the statement cache. They go
 * to the engine directly, past store.c's fault injection (store.h): they are
 * the engine's own statements, as PostgreSQL's conn_exec ones, so a fault
 * names the same domain statement on both engines. */
static int batch_exec(struct conn *c, const char *sql, struct err *e)
{
	struct store_tx tx = { c, 0, 0 };
	struct store_stmt *s = control_query(&tx, e, sql);
	if (!s)
		return e ? e->kind : ERR_INTERNAL;
	int rc = sqlite_step(s, e);
	sqlite_done(s);
	return rc < 0 ? rc : 0;
}

static void batch_fail(struct group_write **w, int n, const struct err *be, int rc, int only_ok)
{
	for (int i = 0; i < n; i++) {
		if (only_ok && w[i]->rc)
			continue;
		w[i]->rc = rc;
		if (w[i]->e)
			*w[i]->e = *be;
	}
}

static int batch_begin(struct conn *c, struct group_write **w, int n)
{
	struct err be;
	int rc = batch_exec(c, "BEGIN IMMEDIATE", &be);
	if (rc)
		batch_fail(w, n, &be, rc, 0);
	return rc;
}

static uint64_t batch_run(void *engine, struct group_write **w, int n)
{
	struct store *st = engine;
	struct conn *c = st->writer;
	struct err be;
	uint64_t ticket = 0;
	int rc, ok = 0, from = 0;

	pthread_mutex_lock(&st->write_lock);
	if (st->durable.on) {
		pthread_mutex_lock(&st->durable.lock);
		int failed = st->durable.failed;
		pthread_mutex_unlock(&st->durable.lock);
		if (failed) {
			durable_failed(&be);
			batch_fail(w, n, &be, ERR_UNAVAILABLE, 0);
			goto out;
		}
	}
	if (batch_begin(c, w, n))
		goto out;
	for (int i = 0; i < n; i++) {
		struct store_tx tx = { c, 0, 0 };
		int sp = n > 1;
		if (sp && (rc = batch_exec(c, "SAVEPOINT w", w[i]->e))) {
			w[i]->rc = rc;
			continue;
		}
		rc = w[i]->rc = w[i]->fn(&tx, w[i]->ctx, w[i]->e);
		/* The engine may have rolled the whole transaction back (I/O
		 * error, full disk), or the savepoint may not roll back: then
		 * what the batch did so far is gone, or must go. */
		int lost = sqlite3_get_autocommit(c->db) ||
			   (sp && rc && batch_exec(c, "ROLLBACK TO w", NULL));
		if (lost) {
			if (!sqlite3_get_autocommit(c->db))
				conn_exec(c, "ROLLBACK", NULL);
			err_setc(&be, ERR_UNAVAILABLE, "store_busy", NULL,
				 "the database rolled the transaction back; retry shortly");
			batch_fail(w + from, i + 1 - from, &be, ERR_UNAVAILABLE, 1);
			ok = 0, from = i + 1;
			if (from < n && batch_begin(c, w + from, n - from))
				goto out;
			continue;
		}
		if (sp)
			batch_exec(c, "RELEASE w", NULL);
		ok += !rc;
	}
	if (from == n)
		goto out;
	if (!ok) {
		conn_exec(c, "ROLLBACK", NULL);
		goto out;
	}
	ticket = durable_begin(st);
	rc = batch_exec(c, "COMMIT", &be);
	commit_mark = sqlite_powerloss_mark();	/* before durable_end: see batch_sync */
	durable_end(st, ticket);
	if (rc) {
		batch_fail(w + from, n - from, &be, rc, 1);
		if (!sqlite3_get_autocommit(c->db))
			conn_exec(c, "ROLLBACK", NULL);
		ticket = 0;
	}
	/* a scrub an erasure could not finish (readers held the log) is
	 * retried after a later write, at most once per SCRUB_RETRY_MS */
	if (st->scrub_retry_at && clock_monotonic_ms() >= st->scrub_retry_at)
		scrub_locked(st);
out:
	pthread_mutex_unlock(&st->write_lock);
	return ticket;
}

/* A leader waits while a batch committed already waits for the next sync:
 * its own batch, run now, would wait for that sync too, and the writers that
 * queue meanwhile would make batches of their own, each one more commit. */
static void batch_ready(void *engine)
{
	struct store *st = engine;
	struct durable *d = &st->durable;
	if (!d->on)
		return;
	pthread_mutex_lock(&d->lock);
	while (!d->failed && d->syncing && atomic_load(&d->committed) > d->sync_target)
		pthread_cond_wait(&d->synced_moved, &d->lock);
	pthread_mutex_unlock(&d->lock);
}

/* The batch's writers are answered once it is durable. Under the simulated
 * power cut, the leader (the thread that ran the batch's COMMIT) also checks
 * that a sync covered every write of that COMMIT, whichever sync it was: an
 * acknowledgement the log's sync does not cover stops the process at once,
 * however rarely a kill would land in its window. */
static void batch_sync(void *engine, uint64_t ticket, struct group_write **w, int n)
{
	struct err be;
	if (durable_wait(engine, ticket, &be))
		batch_fail(w, n, &be, ERR_UNAVAILABLE, 1);
	else
		sqlite_powerloss_check_synced(commit_mark);
}

/* RETAIN_GROUP_COMMIT_MAX: the most writes one commit takes (default 64;
 * 1 turns group commit off: one transaction and one fsync per write, in the
 * COMMIT, as before group commit; the split commit goes with it). */
static void group_setup(struct store *st)
{
	const char *v = getenv("RETAIN_GROUP_COMMIT_MAX");
	int max = v && *v ? atoi(v) : 64;
	group_init(&st->group, max, batch_run, batch_sync, batch_ready, st);
	durable_init(&st->durable);
}

static int group_splits_commit(struct store *st)
{
	return st->group.max > 1;
}

/*
 * store_write() contract, SQLite engine with group commit:
 * - fn runs inside a transaction shared with the other writes waiting at that
 *   moment, on the thread of whichever caller leads the batch (not
 *   necessarily the caller's own), after the writes queued before it, whose
 *   uncommitted changes it sees; it sees its own writes; writes are
 *   serialised, one callback at a time, in queue order.
 * - fn returning 0: its writes commit with the batch; store_write() returns 0
 *   only after that COMMIT is durable (WAL, and the log's fdatasync after it,
 *   struct durable; synchronous=FULL with group commit off), so the caller
 *   may acknowledge. If the COMMIT fails, every write of the batch that had
 *   succeeded gets the COMMIT's error, and none of the batch is on disk; if
 *   the fdatasync fails, they get ERR_UNAVAILABLE ("store_sync_failed"), and
 *   so does every later write.
 * - fn returning an error: its writes are rolled back to its own savepoint,
 *   leaving no trace, and store_write() returns that error with e as fn set
 *   it; the other writes of the batch are unaffected. A failed statement
 *   inside fn (a unique violation, store_tx_was_unique_violation()) undoes
 *   only that statement, as before; fn may go on.
 * - fn runs once per store_write() here (a failing neighbour costs a
 *   savepoint rollback, not a replay; when the engine itself aborts the
 *   whole transaction, the writes that had succeeded get ERR_UNAVAILABLE,
 *   "retry", rather than a second run). Other engines may run fn again
 *   (store.h), so fn keeps no side effect outside the transaction and its
 *   ctx that a second run would double.
 */
static int sqlite_write(struct store *st, store_fn fn, void *ctx, struct err *e)
{
	return group_write(&st->group, fn, ctx, e);
}

static int reader_get(struct store *st, struct conn **out, struct err *e)
{
	struct conn *c = pthread_getspecific(st->reader_key);
	int rc;

	if (c) {
		*out = c;
		return 0;
	}
	if ((rc = conn_open(st->path, 1, 0, &c, e)))
		return rc;
	pthread_mutex_lock(&st->conns_lock);
	c->next = st->readers;
	st->readers = c;
	pthread_mutex_unlock(&st->conns_lock);
	pthread_setspecific(st->reader_key, c);
	*out = c;
	return 0;
}

/* BEGIN and COMMIT come from the statement cache (batch_exec), as in a
 * write: through sqlite3_exec they were parsed on every read, half the cost
 * of authenticating a request (bench/README.md). */
static int read_tx(struct store *st, store_fn fn, void *ctx, int wait, struct err *e)
{
	struct store_tx tx = { NULL, 0, 1 };
	int rc;

	if ((rc = reader_get(st, &tx.conn, e)))
		return rc;
	if ((rc = batch_exec(tx.conn, "BEGIN", e)))
		return rc;
	rc = fn(&tx, ctx, e);
	if (batch_exec(tx.conn, rc ? "ROLLBACK" : "COMMIT", NULL) &&
	    !sqlite3_get_autocommit(tx.conn->db))
		conn_exec(tx.conn, "ROLLBACK", NULL);
	return rc || !wait ? rc : durable_read_done(st, e);
}

static int sqlite_read(struct store *st, store_fn fn, void *ctx, struct err *e)
{
	return read_tx(st, fn, ctx, 1, e);
}

static int sqlite_peek(struct store *st, store_fn fn, void *ctx, struct err *e)
{
	return read_tx(st, fn, ctx, 0, e);
}

/* Through the engine itself, as PostgreSQL's ping: not a domain statement
 * for the fault injection (store.h). */
static int ping(struct store_tx *tx, void *ctx, struct err *e)
{
	(void)ctx;
	struct store_stmt *s = control_query(tx, e, "SELECT 1");
	if (!s)
		return e ? e->kind : ERR_INTERNAL;
	int rc = sqlite_step(s, e);
	sqlite_done(s);
	return rc < 0 ? rc : 0;
}

static int sqlite_scrub(struct store *st, struct err *e)
{
	pthread_mutex_lock(&st->write_lock);
	int rc = scrub_locked(st);
	pthread_mutex_unlock(&st->write_lock);
	if (rc != SQLITE_OK)
		return err_setc(e, ERR_UNAVAILABLE, "store_busy", NULL,
				"the write-ahead log could not be truncated yet (%s); it is"
				" retried after a later write", sqlite3_errstr(rc));
	return 0;
}

static int sqlite_ping(struct store *st, struct err *e)
{
	return sqlite_read(st, ping, NULL, e);
}

/* $N placeholders become ?N, which SQLite binds by number. */
static char *rewrite_placeholders(const char *sql)
{
	char *out = strdup(sql);
	if (!out)
		abort();
	for (char *p = out; *p; p++)
		if (*p == '$' && p[1] >= '0' && p[1] <= '9')
			*p = '?';
	return out;
}

static unsigned hash_sql(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static unsigned hash_address(const char *sql)
{
	uintptr_t p = (uintptr_t)sql;
	return (unsigned)((p >> 3) ^ (p >> 11) ^ (p >> 19)) % STMT_CACHE;
}

static struct store_stmt *take(struct store_tx *tx, struct store_stmt *s)
{
	s->busy = 1;
	s->tx = tx;
	return s;
}

static struct store_stmt *prepare(struct store_tx *tx, const char *sql, struct err *e)
{
	struct conn *c = tx->conn;
	struct store_stmt **known = &c->by_address[hash_address(sql)];
	struct store_stmt *slot = NULL;

	if (*known && !(*known)->busy && strcmp((*known)->sql, sql) == 0)
		return take(tx, *known);
	unsigned h = hash_sql(sql);
	for (unsigned i = 0; i < 8; i++) {
		struct store_stmt *s = &c->cache[(h + i) % STMT_CACHE];
		if (s->sql && strcmp(s->sql, sql) == 0) {
			if (s->busy)
				break;	/* nested use of the same SQL: fresh statement */
			*known = s;
			return take(tx, s);
		}
		if (!s->sql && !slot)
			slot = s;
	}
	char *rewritten = rewrite_placeholders(sql);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v3(c->db, rewritten, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	free(rewritten);
	if (rc != SQLITE_OK) {
		sqlite_error(e, c->db, rc, "prepare");
		return NULL;
	}
	if (!slot) {
		slot = calloc(1, sizeof(*slot));
		if (!slot)
			abort();
		slot->owned = 1;
	} else {
		if (!(slot->sql = strdup(sql)))
			abort();
		*known = slot;
	}
	slot->st = st;
	slot->busy = 1;
	slot->tx = tx;
	return slot;
}

static int bind_args(struct store_stmt *s, const char *types, va_list ap, struct err *e)
{
	for (int i = 0; types[i]; i++) {
		int rc;
		if (types[i] == 'i') {
			rc = sqlite3_bind_int64(s->st, i + 1, va_arg(ap, int64_t));
		} else {
			const char *v = va_arg(ap, const char *);
			rc = v ? sqlite3_bind_text(s->st, i + 1, v, -1, SQLITE_STATIC)
			       : sqlite3_bind_null(s->st, i + 1);
		}
		if (rc != SQLITE_OK)
			return sqlite_error(e, s->tx->conn->db, rc, "bind");
	}
	return 0;
}

static void sqlite_done(struct store_stmt *s);

static struct store_stmt *vquery(struct store_tx *tx, struct err *e, const char *sql,
				 const char *types, va_list ap)
{
	tx->unique_violation = 0;	/* store.h: the latest statement's */
	struct store_stmt *s = prepare(tx, sql, e);
	if (!s)
		return NULL;
	if (bind_args(s, types, ap, e)) {
		sqlite_done(s);
		return NULL;
	}
	return s;
}

static int sqlite_step(struct store_stmt *s, struct err *e)
{
	int rc = sqlite3_step(s->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		s->tx->unique_violation = 1;
		return err_setc(e, ERR_CONFLICT, "unique_violation", NULL, "%s",
				sqlite3_errmsg(s->tx->conn->db));
	}
	return sqlite_error(e, s->tx->conn->db, rc, "step");
}

static int64_t sqlite_int(struct store_stmt *s, int col)
{
	return sqlite3_column_int64(s->st, col);
}

static const char *sqlite_text(struct store_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s->st, col);
}

static int sqlite_is_null(struct store_stmt *s, int col)
{
	return sqlite3_column_type(s->st, col) == SQLITE_NULL;
}

static void sqlite_done(struct store_stmt *s)
{
	if (!s)
		return;
	if (s->owned) {
		sqlite3_finalize(s->st);
		free(s);
		return;
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->busy = 0;
	s->tx = NULL;
}

static int sqlite_read_only(struct store_tx *tx)
{
	return tx->read_only;
}

static int sqlite_was_unique_violation(struct store_tx *tx)
{
	return tx->unique_violation;
}

static int sqlite_changes(struct store_tx *tx)
{
	return sqlite3_changes(tx->conn->db);
}

/* The one writer is alone already (BEGIN IMMEDIATE): every lock is taken. */
static int sqlite_try_lock(struct store_tx *tx, int64_t key, struct err *e)
{
	(void)tx, (void)key, (void)e;
	return 1;
}

const struct store_engine sqlite_engine = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.write = sqlite_write,
	.read = sqlite_read,
	.peek = sqlite_peek,
	.scrub = sqlite_scrub,
	.ping = sqlite_ping,
	.query = vquery,
	.step = sqlite_step,
	.int_at = sqlite_int,
	.text_at = sqlite_text,
	.is_null = sqlite_is_null,
	.done = sqlite_done,
	.changes = sqlite_changes,
	.was_unique_violation = sqlite_was_unique_violation,
	.read_only = sqlite_read_only,
	.try_lock = sqlite_try_lock,
};
