/* cmd_serve.c: `retain serve`: the HTTP API on the store. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../analytics/clv_cache.h"
#include "../analytics/report_cache.h"
#include "../base/clock.h"
#include "../base/log.h"
#include "../base/secure.h"
#include "../core/jobs.h"
#include "../http/server.h"
#include "cli.h"

const char cmd_serve_usage[] =
	"usage: retain serve [--listen ADDR:PORT] [--db PATH] [--print-config] [settings]\n"
	"\n"
	"Serves the HTTP API until SIGTERM or SIGINT (then drains for --drain-seconds),\n"
	"and runs the jobs every --jobs-interval seconds. The operator key is\n"
	"--operator-key, else DB.operator-key (created, mode 0600, on first start;\n"
	"with a PostgreSQL --db the key must be given).\n";

/* The operator key: from the configuration, else from DB.operator-key, which
 * is created (mode 0600) with a new key on first start. */
static int operator_key(const struct config *cfg, char hash[SECURE_SHA256_HEX], struct err *e)
{
	char key[128], path[1100];
	if (cfg->operator_key[0]) {
		if (strncmp(cfg->operator_key, "op_", 3) || strlen(cfg->operator_key) < 24)
			return err_set(e, ERR_INVALID, "operator-key",
				       "the operator key must start with \"op_\" and have at least 24 characters");
		secure_sha256_hex(cfg->operator_key, strlen(cfg->operator_key), hash);
		return 0;
	}
	/* Several nodes share one PostgreSQL database and must share its key. */
	if (store_is_postgres(cfg->db))
		return err_set(e, ERR_INVALID, "operator-key",
			       "with a PostgreSQL --db, give the operator key (--operator-key or"
			       " RETAIN_OPERATOR_KEY): there is no file beside the database to keep it in");
	snprintf(path, sizeof(path), "%s.operator-key", cfg->db);
	int fd = open(path, O_RDONLY);
	if (fd < 0 && errno == ENOENT) {
		secure_random_token("op_", 40, key, sizeof(key));
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			return err_set(e, ERR_INTERNAL, "operator-key", "cannot create \"%s\": %s",
				       path, strerror(errno));
		size_t n = strlen(key);
		int ok = write(fd, key, n) == (ssize_t)n && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
		close(fd);
		if (!ok)
			return err_set(e, ERR_INTERNAL, "operator-key", "cannot write \"%s\"", path);
		log_info("operator key created", ",\"path\":\"%s\"", path);
	} else if (fd < 0) {
		return err_set(e, ERR_INTERNAL, "operator-key", "cannot read \"%s\": %s", path,
			       strerror(errno));
	} else {
		ssize_t n = read(fd, key, sizeof(key) - 1);
		close(fd);
		if (n <= 0)
			return err_set(e, ERR_INTERNAL, "operator-key", "\"%s\" is empty", path);
		key[n] = '\0';
		key[strcspn(key, "\r\n")] = '\0';
	}
	secure_sha256_hex(key, strlen(key), hash);
	return 0;
}

struct jobs_thread {
	struct store *store;
	const struct config *cfg;
	int64_t interval;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	int64_t waited;		/* seconds of the interval spent on webhook runs */
};

/* Issue 13: between two runs of the jobs, the webhook deliveries alone every
 * --webhooks-interval seconds, so an event's webhook need not wait for the
 * next full run. Returns once the full run is due or the thread must stop. */
static void webhooks_until_jobs(struct jobs_thread *j)
{
	int64_t every = j->cfg->webhooks_interval;
	j->waited = 0;
	while (every > 0 && j->waited + every < j->interval && !j->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += every;
		j->waited += every;
		if (pthread_cond_timedwait(&j->wake, &j->lock, &until) == 0 || j->stop)
			return;
		pthread_mutex_unlock(&j->lock);
		struct jobs_counts n;
		struct err e = { 0 };
		if (jobs_run_one(j->store, j->cfg, "webhooks", &n, &e))
			log_error("webhooks failed", ",\"error\":\"%s\"", e.code);
		pthread_mutex_lock(&j->lock);
	}
}

/* Runs the due jobs (core/jobs.h) and refreshes the CLV fits every interval
 * seconds until told to stop. */
static void *jobs_main(void *arg)
{
	struct jobs_thread *j = arg;
	pthread_mutex_lock(&j->lock);
	while (!j->stop) {
		webhooks_until_jobs(j);
		if (j->stop)
			break;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += j->interval - j->waited;
		pthread_cond_timedwait(&j->wake, &j->lock, &until);
		if (j->stop)
			break;
		pthread_mutex_unlock(&j->lock);
		struct jobs_counts n;
		struct err e = { 0 };
		if (jobs_run(j->store, j->cfg, &n, &e))
			log_error("jobs failed", ",\"error\":\"%s\"", e.code);
		else if (n.expired_lots || n.reminders || n.tier_changes || n.skipped)
			log_info("jobs", ",\"expired_lots\":%lld,\"reminders\":%lld,\"tier_changes\":%lld"
				 ",\"skipped\":%d", (long long)n.expired_lots, (long long)n.reminders,
				 (long long)n.tier_changes, n.skipped);
		/* Issue 13: e-mail, by counts only (no address is ever logged). */
		if (n.emails_queued || n.emails_sent || n.emails_retried || n.emails_failed)
			log_info("e-mails", ",\"queued\":%lld,\"skipped\":%lld,\"sent\":%lld,\"retried\":%lld"
				 ",\"failed\":%lld", (long long)n.emails_queued, (long long)n.emails_skipped,
				 (long long)n.emails_sent, (long long)n.emails_retried,
				 (long long)n.emails_failed);
		int refitted = 0;
		if (clv_cache_refresh(j->store, &refitted, &e))
			log_error("model refit failed", ",\"error\":\"%s\"", e.code);
		else if (refitted)
			log_info("models refitted", ",\"shops\":%d", refitted);
		/* Issue 14: the dashboard's cached reports older than half their time. */
		int refreshed = 0;
		if (report_cache_refresh(j->store, j->cfg->report_cache_minutes * 60 * 1000, &refreshed, &e))
			log_error("report cache refresh failed", ",\"error\":\"%s\"", e.code);
		else if (refreshed)
			log_info("reports refreshed", ",\"reports\":%d", refreshed);
		pthread_mutex_lock(&j->lock);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

int cmd_serve(int argc, char **argv, const struct config *cfg, const struct route *routes,
	      int nroutes)
{
	struct server s = { 0 };
	struct err e = { 0 };
	sigset_t set;
	int rc;

	if (argc > 0) {
		fprintf(stderr, "retain serve: unknown argument \"%s\"\n", argv[0]);
		return cli_usage(cmd_serve_usage);
	}
	if (cfg->print_config) {
		config_print(cfg, stdout);
		return 0;
	}
	/* Signals go to the main thread's sigwait(), never to a worker. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (cfg->test_clock) {
		clock_enable_test();
		store_allow_test_faults();	/* the simulated power cut (SQLite) */
	}
	s.cfg = cfg;
	s.routes = routes;
	s.nroutes = nroutes;
	/* The database first: a bad --db is named as such, not as its key file. */
	if ((rc = cli_store_open(cfg, &s.store, &e)))
		return cli_fail(&e);
	if ((rc = operator_key(cfg, s.operator_key_hash, &e)) || (rc = server_start(&s, &e))) {
		store_close(s.store);
		return cli_fail(&e);
	}
	struct jobs_thread jobs = { s.store, cfg, cfg->jobs_interval, PTHREAD_MUTEX_INITIALIZER,
				    PTHREAD_COND_INITIALIZER, 0, 0 };
	pthread_t jobs_tid;
	int jobs_started = cfg->jobs_interval > 0 &&
			   pthread_create(&jobs_tid, NULL, jobs_main, &jobs) == 0;
	rc = server_run_until_signal(&s);
	if (jobs_started) {
		pthread_mutex_lock(&jobs.lock);
		jobs.stop = 1;
		pthread_cond_signal(&jobs.wake);
		pthread_mutex_unlock(&jobs.lock);
		pthread_join(jobs_tid, NULL);
	}
	store_close(s.store);
	return rc;
}
