/*
 * sqlite_vfs.h: what the store's SQLite VFSes built over another VFS share
 * (store-internal): the methods that only forward to the VFS or the file
 * below. The log's VFS (sqlite_wal.c) and the simulated power cut
 * (sqlite_powerloss.c) each write their own xOpen and the file methods they
 * change, and take the rest from here.
 */
#ifndef RETAIN_STORE_SQLITE_VFS_H
#define RETAIN_STORE_SQLITE_VFS_H

#include <sqlite3.h>
#include <stddef.h>

/* How every file of such a VFS starts: its methods, then the file of the
 * VFS below (allocated after the struct, rounded by SQLITE_VFS_OVER_SIZE). */
struct vfs_over_file {
	sqlite3_file base;
	sqlite3_file *real;
};

#define SQLITE_VFS_OVER_SIZE(type) ((sizeof(type) + 15) & ~(size_t)15)

/* Fills every method of v but xOpen with one that forwards to root (kept in
 * v->pAppData), and its sizes from root's with file_size bytes of its own
 * before each file. 0, or -1 when root lacks version 2's methods. */
int vfs_over_init(sqlite3_vfs *v, sqlite3_vfs *root, size_t file_size);

/* File methods that forward to the file below, for io_methods tables. */
int vfs_over_lock(sqlite3_file *p, int lock);
int vfs_over_unlock(sqlite3_file *p, int lock);
int vfs_over_check_reserved(sqlite3_file *p, int *out);
int vfs_over_sector_size(sqlite3_file *p);
int vfs_over_device(sqlite3_file *p);
int vfs_over_shm_map(sqlite3_file *p, int region, int size, int extend, void volatile **out);
int vfs_over_shm_lock(sqlite3_file *p, int offset, int n, int flags);
void vfs_over_shm_barrier(sqlite3_file *p);
int vfs_over_shm_unmap(sqlite3_file *p, int delete_flag);
int vfs_over_unfetch(sqlite3_file *p, sqlite3_int64 off, void *ptr);

#endif
