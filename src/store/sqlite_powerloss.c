/* sqlite_powerloss.c: see sqlite_powerloss.h. */
#include "sqlite_powerloss.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "sqlite_vfs.h"
#include "store.h"

/* One write not yet synced: its bytes, where they go, and its number. */
struct chunk {
	struct chunk *next;
	sqlite3_int64 off;
	int len;
	uint64_t seq;
	char data[];
};

/* What is unsynced of one file, shared by every connection that opens it. */
struct overlay {
	struct overlay *next;
	char *name;
	int refs;
	int is_log;
	struct chunk *head, *tail;	/* in the order written */
	struct pl_file *open;		/* the connections' files of it */
};

struct pl_file {
	sqlite3_file base;
	sqlite3_file *real;
	struct overlay *ov;		/* NULL: a file passed straight through */
	struct pl_file *next_open;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct overlay *overlays;
static uint64_t last_seq;
static sqlite3_vfs *root;
static uint64_t log_synced;	/* every write of the log numbered up to it is on its file */

#define PL_FILE_SIZE SQLITE_VFS_OVER_SIZE(struct pl_file)

/* Writes the overlay's chunks numbered up to mark to the file, in order;
 * with lock held. */
static int flush_upto(struct overlay *ov, sqlite3_file *real, uint64_t mark)
{
	while (ov->head && ov->head->seq <= mark) {
		struct chunk *c = ov->head;
		int rc = real->pMethods->xWrite(real, c->data, c->len, c->off);
		if (rc != SQLITE_OK)
			return rc;
		ov->head = c->next;
		if (!ov->head)
			ov->tail = NULL;
		free(c);
	}
	return SQLITE_OK;
}

static sqlite3_int64 overlay_end(const struct overlay *ov)
{
	sqlite3_int64 end = 0;
	for (const struct chunk *c = ov->head; c; c = c->next)
		if (c->off + c->len > end)
			end = c->off + c->len;
	return end;
}

static int pl_close(sqlite3_file *p)
{
	struct pl_file *f = (struct pl_file *)p;
	if (f->ov) {
		pthread_mutex_lock(&lock);
		for (struct pl_file **at = &f->ov->open; *at; at = &(*at)->next_open)
			if (*at == f) {
				*at = f->next_open;
				break;
			}
		if (--f->ov->refs == 0)
			flush_upto(f->ov, f->real, UINT64_MAX);	/* as the kernel would */
		pthread_mutex_unlock(&lock);
	}
	return f->real->pMethods->xClose(f->real);
}

static int pl_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off)
{
	struct pl_file *f = (struct pl_file *)p;
	sqlite3_int64 size = 0;
	if (!f->ov)
		return f->real->pMethods->xRead(f->real, out, amt, off);
	pthread_mutex_lock(&lock);
	int rc = f->real->pMethods->xRead(f->real, out, amt, off);
	if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ) {
		for (const struct chunk *c = f->ov->head; c; c = c->next) {
			sqlite3_int64 a = c->off > off ? c->off : off;
			sqlite3_int64 b = c->off + c->len < off + amt ? c->off + c->len : off + amt;
			if (a < b)
				memcpy((char *)out + (a - off), c->data + (a - c->off), (size_t)(b - a));
		}
		if (rc == SQLITE_IOERR_SHORT_READ &&
		    f->real->pMethods->xFileSize(f->real, &size) == SQLITE_OK) {
			sqlite3_int64 end = overlay_end(f->ov);
			if (end > size)
				size = end;
			if (off + amt <= size)
				rc = SQLITE_OK;
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

static int pl_write(sqlite3_file *p, const void *data, int amt, sqlite3_int64 off)
{
	struct pl_file *f = (struct pl_file *)p;
	if (!f->ov)
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	struct chunk *c = malloc(sizeof(*c) + (size_t)amt);
	if (!c)
		return SQLITE_IOERR_NOMEM;
	memcpy(c->data, data, (size_t)amt);
	c->off = off;
	c->len = amt;
	c->next = NULL;
	pthread_mutex_lock(&lock);
	c->seq = ++last_seq;
	if (f->ov->tail)
		f->ov->tail->next = c;
	else
		f->ov->head = c;
	f->ov->tail = c;
	pthread_mutex_unlock(&lock);
	return SQLITE_OK;
}

/* A truncation reaches the file at once (the conservative side for the
 * log: SQLite truncates it only after the database is synced). */
static int pl_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct pl_file *f = (struct pl_file *)p;
	if (f->ov) {
		pthread_mutex_lock(&lock);
		struct chunk **at = &f->ov->head;
		f->ov->tail = NULL;
		while (*at) {
			struct chunk *c = *at;
			if (c->off >= size) {
				*at = c->next;
				free(c);
				continue;
			}
			if (c->off + c->len > size)
				c->len = (int)(size - c->off);
			f->ov->tail = c;
			at = &c->next;
		}
		pthread_mutex_unlock(&lock);
	}
	return f->real->pMethods->xTruncate(f->real, size);
}

static int pl_sync(sqlite3_file *p, int flags)
{
	struct pl_file *f = (struct pl_file *)p;
	uint64_t upto = 0;
	if (f->ov) {
		pthread_mutex_lock(&lock);
		upto = last_seq;
		int rc = flush_upto(f->ov, f->real, UINT64_MAX);
		pthread_mutex_unlock(&lock);
		if (rc != SQLITE_OK)
			return rc;
	}
	int rc = f->real->pMethods->xSync(f->real, flags);
	if (rc == SQLITE_OK && f->ov && f->ov->is_log) {
		pthread_mutex_lock(&lock);
		if (upto > log_synced)
			log_synced = upto;
		pthread_mutex_unlock(&lock);
	}
	return rc;
}

static int pl_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
	struct pl_file *f = (struct pl_file *)p;
	if (!f->ov)
		return f->real->pMethods->xFileSize(f->real, size);
	pthread_mutex_lock(&lock);	/* no flush between the two sizes */
	int rc = f->real->pMethods->xFileSize(f->real, size);
	sqlite3_int64 end = overlay_end(f->ov);
	pthread_mutex_unlock(&lock);
	if (rc == SQLITE_OK && end > *size)
		*size = end;
	return rc;
}

static int pl_file_control(sqlite3_file *p, int op, void *arg)
{
	struct pl_file *f = (struct pl_file *)p;
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

/* Never a mapping: a mapped page would miss the writes laid over it. */
static int pl_fetch(sqlite3_file *p, sqlite3_int64 off, int amt, void **out)
{
	(void)p, (void)off, (void)amt;
	*out = NULL;
	return SQLITE_OK;
}

static const sqlite3_io_methods pl_methods = {
	3, pl_close, pl_read, pl_write, pl_truncate, pl_sync, pl_file_size, vfs_over_lock,
	vfs_over_unlock, vfs_over_check_reserved, pl_file_control, vfs_over_sector_size,
	vfs_over_device, vfs_over_shm_map, vfs_over_shm_lock, vfs_over_shm_barrier,
	vfs_over_shm_unmap, pl_fetch, vfs_over_unfetch,
};

/* The shared overlay of a file by name; with lock held. */
static struct overlay *overlay_of(const char *name, int is_log)
{
	for (struct overlay *o = overlays; o; o = o->next)
		if (!strcmp(o->name, name)) {
			o->refs++;
			return o;
		}
	struct overlay *o = calloc(1, sizeof(*o));
	if (!o || !(o->name = strdup(name)))
		abort();
	o->refs = 1;
	o->is_log = is_log;
	o->next = overlays;
	overlays = o;
	return o;
}

static int pl_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out)
{
	struct pl_file *f = (struct pl_file *)p;
	(void)vfs;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)((char *)p + PL_FILE_SIZE);
	int rc = root->xOpen(root, name, f->real, flags, out);
	if (rc != SQLITE_OK || !f->real->pMethods) {
		f->base.pMethods = NULL;
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	if (f->real->pMethods->iVersion < 3) {
		f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	f->base.pMethods = &pl_methods;
	if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL))) {
		pthread_mutex_lock(&lock);
		f->ov = overlay_of(name, !!(flags & SQLITE_OPEN_WAL));
		f->next_open = f->ov->open;
		f->ov->open = f;
		pthread_mutex_unlock(&lock);
	}
	return SQLITE_OK;
}

uint64_t sqlite_powerloss_mark(void)
{
	if (!root)
		return 0;
	pthread_mutex_lock(&lock);
	uint64_t m = last_seq;
	pthread_mutex_unlock(&lock);
	return m;
}

/* Written through any connection's open file of the log (the writer's is
 * open while it commits). */
void sqlite_powerloss_synced(uint64_t mark)
{
	if (!root)
		return;
	pthread_mutex_lock(&lock);
	int rc = SQLITE_OK;
	for (struct overlay *o = overlays; o; o = o->next)
		if (o->is_log && o->open && flush_upto(o, o->open->real, mark) != SQLITE_OK)
			rc = SQLITE_IOERR;
	if (rc == SQLITE_OK && mark > log_synced)
		log_synced = mark;
	pthread_mutex_unlock(&lock);
}

void sqlite_powerloss_check_synced(uint64_t mark)
{
	if (!root)
		return;
	pthread_mutex_lock(&lock);
	uint64_t synced = log_synced;
	pthread_mutex_unlock(&lock);
	if (mark > synced) {
		log_error("acknowledged before synced", ",\"write\":%llu,\"log_synced_to\":%llu",
			  (unsigned long long)mark, (unsigned long long)synced);
		abort();
	}
}

/* The rest of the VFS forwards to the one below (sqlite_vfs.h). */
static sqlite3_vfs pl_vfs = {
	.zName = "retain-powerloss",
	.xOpen = pl_open,
};

int sqlite_powerloss_install(void)
{
	const char *on = getenv("RETAIN_TEST_POWER_LOSS");
	if (root || !on || strcmp(on, "1") || !store_test_faults_allowed())
		return root != NULL;
	sqlite3_vfs *r = sqlite3_vfs_find(NULL);
	if (vfs_over_init(&pl_vfs, r, PL_FILE_SIZE))
		return 0;
	root = r;
	if (sqlite3_vfs_register(&pl_vfs, 1) != SQLITE_OK) {
		root = NULL;
		return 0;
	}
	return 1;
}
