/*
 * sqlite_mem.h: SQLite's own allocator, with the 1 KiB blocks of its
 * in-memory journals kept for reuse per thread (store-internal, sqlite.c).
 *
 * The writer keeps its sub-journal (the copies of the pages a batch's
 * SAVEPOINT rolls back to) in memory (PRAGMA temp_store=MEMORY), and SQLite
 * stores an in-memory journal in pieces of 1,024 bytes: four or five per
 * page copied, some 80 per write under the order load, all freed at every
 * RELEASE and allocated again by the next write. For glibc a request of
 * that size is a "large" one: it consolidates the fastbins first, and most
 * of them miss the thread cache (seven entries per size): a third of all
 * allocations of the order load, the largest share of its malloc time
 * (bench/README.md, the order path, seventh round). A larger piece is not
 * to be had: SQLite fixes the size of an in-memory journal's pieces, and a
 * spill threshold (SQLITE_CONFIG_STMTJRNL_SPILL, which sizes the piece of a
 * journal that may spill) past 128 KiB makes the spill fail as a full disk
 * (the unix VFS writes at most 17 bits of a count), while one below it
 * spilled one write in eight into a temporary file.
 *
 * This wrapper keeps up to MEM_KEEP freed blocks of exactly that size per
 * thread and hands them out again; a thread's blocks are freed when it
 * ends. Every other call, and every other size, goes to SQLite's default
 * allocator unchanged; kept blocks are that allocator's own, so its
 * xSize and xRealloc apply to them as to any other.
 */
#ifndef RETAIN_STORE_SQLITE_MEM_H
#define RETAIN_STORE_SQLITE_MEM_H

/* Installs the wrapper around SQLite's default allocator. Call once,
 * before SQLite is initialised (sqlite3_config). 0 on success. */
int sqlite_mem_install(void);

#endif
