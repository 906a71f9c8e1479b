/*
 * ceiling.c: the minimal programs retain's figures are compared against, in one
 * binary, built and measured in the same run as retain (bench/run):
 *
 *   GET  /echo     a fixed small JSON answer: libmicrohttpd's own ceiling
 *   POST /insert   the body stored with one durable SQLite insert (WAL,
 *                  synchronous=FULL, one transaction per request): the
 *                  one-commit-per-request ceiling of the embedded store
 *
 * usage: ceiling PORT DBPATH
 */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sqlite3 *db;
static sqlite3_stmt *insert;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char echo[] = "{\"status\":\"ok\",\"object\":\"echo\"}";

struct body {
	char data[8192];
	size_t len;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *size, void **state)
{
	(void)cls, (void)version;
	if (!*state) {
		*state = calloc(1, sizeof(struct body));
		return MHD_YES;
	}
	struct body *b = *state;
	if (*size) {
		size_t n = *size < sizeof(b->data) - b->len ? *size : sizeof(b->data) - b->len;
		memcpy(b->data + b->len, data, n);
		b->len += n;
		*size = 0;
		return MHD_YES;
	}
	if (!strcmp(url, "/echo"))
		return reply(c, 200, echo);
	if (!strcmp(url, "/insert") && !strcmp(method, "POST")) {
		int rc;
		pthread_mutex_lock(&lock);
		sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0);
		sqlite3_bind_blob(insert, 1, b->data, (int)b->len, SQLITE_STATIC);
		rc = sqlite3_step(insert);
		sqlite3_reset(insert);
		sqlite3_exec(db, "COMMIT", 0, 0, 0);
		pthread_mutex_unlock(&lock);
		return reply(c, rc == SQLITE_DONE ? 201 : 500, echo);
	}
	return reply(c, 404, "{}");
}

static void done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode t)
{
	(void)cls, (void)c, (void)t;
	free(*state);
	*state = NULL;
}

int main(int argc, char **argv)
{
	sigset_t set;
	int sig;
	if (argc != 3) {
		fprintf(stderr, "usage: ceiling PORT DBPATH\n");
		return 2;
	}
	unlink(argv[2]);
	if (sqlite3_open(argv[2], &db) != SQLITE_OK)
		return 1;
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB, at INTEGER);"
			 "CREATE INDEX t_at ON t (at);", 0, 0, 0);
	sqlite3_prepare_v2(db, "INSERT INTO t (body, at) VALUES (?1, unixepoch())", -1, &insert, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO,
		(uint16_t)atoi(argv[1]), NULL, NULL, handle, NULL,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(ncpu > 0 ? ncpu * 2 : 4),
		MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (!d)
		return 1;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	sqlite3_finalize(insert);
	sqlite3_close(db);
	return 0;
}
