/*
 * sqlite_wal.h: a SQLite VFS over the default one ("unix") that hands the
 * write-ahead log a commit's frames in one write instead of two per frame
 * (store-internal, used by sqlite.c for its writer connection).
 *
 * SQLite writes each frame of a commit with two pwrite() calls (its 24-byte
 * header, then the page): a paid order's commit was ~23 system calls per
 * request, ~10% of the server's CPU in the kernel's write path
 * (bench/README.md, the sixth round). Here writes to the log that continue
 * the previous one are gathered in memory and written at once when the
 * frame that ends a commit (a header whose "database size" field is not 0)
 * has been given, before SQLite publishes the commit in the log's index, so
 * a reader never finds a frame that is not in the file and the commit's
 * write error (a full disk) is still the COMMIT's. Anything else SQLite
 * does with the log first writes what is gathered: a read, a write elsewhere
 * (SQLite rewriting a frame in place), a sync, a truncation, its size, a
 * file control, closing it. Other files pass straight through.
 *
 * Only when the file system promises SQLITE_IOCAP_POWERSAFE_OVERWRITE (the
 * unix VFS's default): without it SQLite pads a commit to a sector boundary,
 * syncing in the middle of a frame, and the log is then written as SQLite
 * writes it.
 */
#ifndef RETAIN_STORE_SQLITE_WAL_H
#define RETAIN_STORE_SQLITE_WAL_H

/* Registers the VFS (not as the default); call once, before opening a
 * connection with it. Returns its name, or NULL when it could not be
 * registered (then connections use the default VFS). */
const char *sqlite_wal_vfs(void);

#endif
