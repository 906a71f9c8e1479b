/*
 * sqlite_powerloss.h: a SQLite VFS for tests that makes kill -9 lose what a
 * power cut loses: every write to the database or its log that was not yet
 * synced (store-internal, installed by sqlite.c).
 *
 * A killed process keeps what it wrote (the kernel holds it), so a kill -9
 * test cannot tell whether an acknowledged commit had reached the disk. With
 * this VFS every write to the database file and the log stays in this
 * process's memory, laid over the file for every connection's reads, and goes
 * to the file only when the file is synced: by SQLite (xSync) or by the split
 * commit's own fdatasync of the log (sqlite_powerloss_synced). A process
 * killed with kill -9 then leaves on disk exactly what was synced; the test
 * deletes the -shm index too, as a power cut may lose it (SQLite rebuilds it
 * from the log either way; tests/api/test_power_loss.py). A clean close
 * writes what is left, as the kernel would.
 *
 * On only when RETAIN_TEST_POWER_LOSS=1 and `retain serve --test-clock`
 * allowed it (store_allow_test_faults): never in production, nor in another
 * command that turns the test clock on (demo, import). It registers itself as SQLite's
 * default VFS over the one that was (unix), so readers and the writer's log
 * VFS (sqlite_wal.h) go through it; reads are never memory-mapped then.
 */
#ifndef RETAIN_STORE_SQLITE_POWERLOSS_H
#define RETAIN_STORE_SQLITE_POWERLOSS_H

#include <stdint.h>

/* Installs the VFS when asked for (above); 1 installed, 0 not. Call once,
 * before any other VFS is built over the default one. */
int sqlite_powerloss_install(void);
/* The number of the latest write so far (0 when off): taken before an
 * fdatasync of the log, handed to sqlite_powerloss_synced() after it. */
uint64_t sqlite_powerloss_mark(void);
/* An fdatasync of the log returned: its writes up to mark reach the file. */
void sqlite_powerloss_synced(uint64_t mark);
/* About to acknowledge a commit whose writes were numbered up to mark: if a
 * sync of the log did not cover them all, says so and aborts (a write would
 * be acknowledged that a power cut could lose). No-op when off. */
void sqlite_powerloss_check_synced(uint64_t mark);

#endif
