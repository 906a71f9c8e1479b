/* sqlite_wal.c: see sqlite_wal.h. */
#include "sqlite_wal.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_vfs.h"

/* Past this much gathered (a large transaction spilling pages), write. */
#define WAL_GATHER_MAX (1024 * 1024)
#define WAL_FRAME_HEADER 24
/* The most the unix VFS writes in one call: it keeps 17 bits of a count. */
#define WAL_WRITE_MAX ((size_t)0x1f000)

struct wal_file {
	sqlite3_file base;	/* our methods */
	sqlite3_file *real;	/* the default VFS's file, allocated after this */
	int gather;		/* the log, on a file system that allows it */
	sqlite3_int64 next;	/* where the last write ended (-1: unknown) */
	sqlite3_int64 at;	/* the gathered bytes' offset */
	char *buf;
	size_t len, cap;
	sqlite3_int64 commit_page;	/* the commit frame's page, once its header came (-1) */
};

/* The struct rounded up, so the real file after it is aligned. */
#define WAL_FILE_SIZE ((sizeof(struct wal_file) + 15) & ~(size_t)15)

static sqlite3_vfs *root;

static int flush(struct wal_file *f)
{
	if (!f->len)
		return SQLITE_OK;
	int rc = SQLITE_OK;
	for (size_t done = 0; done < f->len && rc == SQLITE_OK; done += WAL_WRITE_MAX) {
		size_t n = f->len - done < WAL_WRITE_MAX ? f->len - done : WAL_WRITE_MAX;
		rc = f->real->pMethods->xWrite(f->real, f->buf + done, (int)n,
					       f->at + (sqlite3_int64)done);
	}
	f->len = 0;
	f->commit_page = -1;
	return rc;
}

static int wal_close(sqlite3_file *p)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	int rc2 = f->real->pMethods->xClose(f->real);
	free(f->buf);
	f->buf = NULL;
	return rc ? rc : rc2;
}

static int wal_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc ? rc : f->real->pMethods->xRead(f->real, out, amt, off);
}

static int gather(struct wal_file *f, const void *data, int amt, sqlite3_int64 off)
{
	if (!f->len)
		f->at = off;
	if (f->len + (size_t)amt > f->cap) {
		size_t cap = f->cap ? f->cap : 64 * 1024;
		while (cap < f->len + (size_t)amt)
			cap *= 2;
		char *b = realloc(f->buf, cap);
		if (!b) {
			int rc = flush(f);
			return rc ? rc : f->real->pMethods->xWrite(f->real, data, amt, off);
		}
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, (size_t)amt);
	f->len += (size_t)amt;
	return SQLITE_OK;
}

/* The frame header's second field, big-endian: the database's size in
 * pages after a commit, 0 on the other frames. */
static int commit_header(const void *data, int amt)
{
	const unsigned char *h = data;
	return amt == WAL_FRAME_HEADER && (h[4] | h[5] | h[6] | h[7]);
}

static int wal_write(sqlite3_file *p, const void *data, int amt, sqlite3_int64 off)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc;
	if (!f->gather || off != f->next || amt <= 0) {
		if ((rc = flush(f)))
			return rc;
		f->next = off + amt;
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	}
	/* Continues the last write: the next frame (or part) of a commit. */
	if ((rc = gather(f, data, amt, off)))
		return rc;
	f->next = off + amt;
	if (commit_header(data, amt))
		f->commit_page = f->next;
	else if (off == f->commit_page || f->len >= WAL_GATHER_MAX)
		return flush(f);
	return SQLITE_OK;
}

static int wal_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	f->next = -1;
	return rc ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wal_sync(sqlite3_file *p, int flags)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wal_file_size(sqlite3_file *p, sqlite3_int64 *size)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wal_file_control(sqlite3_file *p, int op, void *arg)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wal_fetch(sqlite3_file *p, sqlite3_int64 off, int amt, void **out)
{
	struct wal_file *f = (struct wal_file *)p;
	int rc = flush(f);
	return rc ? rc : f->real->pMethods->xFetch(f->real, off, amt, out);
}

static const sqlite3_io_methods wal_methods = {
	3, wal_close, wal_read, wal_write, wal_truncate, wal_sync, wal_file_size, vfs_over_lock,
	vfs_over_unlock, vfs_over_check_reserved, wal_file_control, vfs_over_sector_size,
	vfs_over_device, vfs_over_shm_map, vfs_over_shm_lock, vfs_over_shm_barrier,
	vfs_over_shm_unmap, wal_fetch, vfs_over_unfetch,
};

static int wal_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *p, int flags, int *out)
{
	struct wal_file *f = (struct wal_file *)p;
	(void)vfs;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)((char *)p + WAL_FILE_SIZE);
	int rc = root->xOpen(root, name, f->real, flags, out);
	if (rc != SQLITE_OK || !f->real->pMethods) {
		f->base.pMethods = NULL;	/* SQLite then does not close it */
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	if (f->real->pMethods->iVersion < 3) {
		f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	f->base.pMethods = &wal_methods;
	f->next = -1;
	f->commit_page = -1;
	f->gather = (flags & SQLITE_OPEN_WAL) && !(flags & SQLITE_OPEN_READONLY) &&
		    (f->real->pMethods->xDeviceCharacteristics(f->real) &
		     SQLITE_IOCAP_POWERSAFE_OVERWRITE);
	return SQLITE_OK;
}

/* The rest of the VFS forwards to the one below (sqlite_vfs.h). */
static sqlite3_vfs wal_vfs = {
	.zName = "retain-wal",
	.xOpen = wal_open,
};

const char *sqlite_wal_vfs(void)
{
	if (!root) {
		sqlite3_vfs *r = sqlite3_vfs_find(NULL);
		if (vfs_over_init(&wal_vfs, r, WAL_FILE_SIZE))
			return NULL;
		wal_vfs.xOpen = wal_open;
		root = r;
		if (sqlite3_vfs_register(&wal_vfs, 0) != SQLITE_OK) {
			root = NULL;
			return NULL;
		}
	}
	return wal_vfs.zName;
}
