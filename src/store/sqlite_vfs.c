/* sqlite_vfs.c: see sqlite_vfs.h. */
#include "sqlite_vfs.h"

#define BELOW(v) ((sqlite3_vfs *)(v)->pAppData)
#define REAL(p) (((struct vfs_over_file *)(p))->real)

static int vfs_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	return BELOW(v)->xDelete(BELOW(v), name, sync_dir);
}

static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	return BELOW(v)->xAccess(BELOW(v), name, flags, out);
}

static int vfs_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	return BELOW(v)->xFullPathname(BELOW(v), name, n, out);
}

static void *vfs_dl_open(sqlite3_vfs *v, const char *name)
{
	return BELOW(v)->xDlOpen(BELOW(v), name);
}

static void vfs_dl_error(sqlite3_vfs *v, int n, char *out)
{
	BELOW(v)->xDlError(BELOW(v), n, out);
}

static void (*vfs_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	return BELOW(v)->xDlSym(BELOW(v), h, sym);
}

static void vfs_dl_close(sqlite3_vfs *v, void *h)
{
	BELOW(v)->xDlClose(BELOW(v), h);
}

static int vfs_randomness(sqlite3_vfs *v, int n, char *out)
{
	return BELOW(v)->xRandomness(BELOW(v), n, out);
}

static int vfs_sleep(sqlite3_vfs *v, int us)
{
	return BELOW(v)->xSleep(BELOW(v), us);
}

static int vfs_current_time(sqlite3_vfs *v, double *out)
{
	return BELOW(v)->xCurrentTime(BELOW(v), out);
}

static int vfs_last_error(sqlite3_vfs *v, int n, char *out)
{
	return BELOW(v)->xGetLastError(BELOW(v), n, out);
}

static int vfs_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	return BELOW(v)->xCurrentTimeInt64(BELOW(v), out);
}

int vfs_over_init(sqlite3_vfs *v, sqlite3_vfs *root, size_t file_size)
{
	if (!root || root->iVersion < 2 || !root->xCurrentTimeInt64)
		return -1;
	v->iVersion = 2;
	v->szOsFile = (int)(file_size + (size_t)root->szOsFile);
	v->mxPathname = root->mxPathname;
	v->pAppData = root;
	v->xDelete = vfs_delete;
	v->xAccess = vfs_access;
	v->xFullPathname = vfs_full_pathname;
	v->xDlOpen = vfs_dl_open;
	v->xDlError = vfs_dl_error;
	v->xDlSym = vfs_dl_sym;
	v->xDlClose = vfs_dl_close;
	v->xRandomness = vfs_randomness;
	v->xSleep = vfs_sleep;
	v->xCurrentTime = vfs_current_time;
	v->xGetLastError = vfs_last_error;
	v->xCurrentTimeInt64 = vfs_current_time64;
	return 0;
}

int vfs_over_lock(sqlite3_file *p, int lock)
{
	return REAL(p)->pMethods->xLock(REAL(p), lock);
}

int vfs_over_unlock(sqlite3_file *p, int lock)
{
	return REAL(p)->pMethods->xUnlock(REAL(p), lock);
}

int vfs_over_check_reserved(sqlite3_file *p, int *out)
{
	return REAL(p)->pMethods->xCheckReservedLock(REAL(p), out);
}

int vfs_over_sector_size(sqlite3_file *p)
{
	return REAL(p)->pMethods->xSectorSize(REAL(p));
}

int vfs_over_device(sqlite3_file *p)
{
	return REAL(p)->pMethods->xDeviceCharacteristics(REAL(p));
}

int vfs_over_shm_map(sqlite3_file *p, int region, int size, int extend, void volatile **out)
{
	return REAL(p)->pMethods->xShmMap(REAL(p), region, size, extend, out);
}

int vfs_over_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
	return REAL(p)->pMethods->xShmLock(REAL(p), offset, n, flags);
}

void vfs_over_shm_barrier(sqlite3_file *p)
{
	REAL(p)->pMethods->xShmBarrier(REAL(p));
}

int vfs_over_shm_unmap(sqlite3_file *p, int delete_flag)
{
	return REAL(p)->pMethods->xShmUnmap(REAL(p), delete_flag);
}

int vfs_over_unfetch(sqlite3_file *p, sqlite3_int64 off, void *ptr)
{
	return REAL(p)->pMethods->xUnfetch(REAL(p), off, ptr);
}
