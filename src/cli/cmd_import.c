/*
 * cmd_import.c: `retain import orders FILE --shop ID` loads order history
 * from a delimited file through the same core functions as the API, so that
 * every report sees it. Streaming, in transactions of 1000 rows; idempotent
 * (a row's order id is the file's order column, or a digest of the row and its
 * occurrence, so importing a file twice imports nothing twice); bad rows are
 * reported with their line numbers and skipped; so are rows whose payment the
 * programme refuses (a limit): their batch is replayed row by row. --dry-run runs every batch
 * through the same core calls and rolls it back, so it counts what an import
 * would do (an order id repeated more than a batch apart counts twice).
 *
 * Dates follow the API's rule (base/rfc3339.h): without --date-format, a date
 * "2026-01-31" or an RFC 3339 time; with one, what strptime reads from it,
 * checked as a real calendar date in the same range.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/clock.h"
#include "../base/csv.h"
#include "../base/currency.h"
#include "../base/rfc3339.h"
#include "../base/secure.h"
#include "../core/order.h"
#include "../core/shop.h"
#include "../store/store.h"
#include "cli.h"

#define BATCH 1000
#define LINE_MAX_BYTES 8192

enum column { COL_CUSTOMER, COL_DATE, COL_AMOUNT, COL_QUANTITY, COL_ORDER, COL_CHANNEL, NCOLUMNS };
static const char *const column_names[NCOLUMNS] = { "customer", "date", "amount", "quantity",
						    "order", "channel" };

struct row {
	int64_t line;
	char customer[128], order[80], channel[16], fingerprint[80];
	int64_t placed_at, amount, quantity;
};

struct import {
	const char *shop, *currency, *date_format, *file;
	int exponent, dry_run, tty;
	int col[NCOLUMNS];
	char delimiter;
	struct row rows[BATCH];
	int nrows;
	int from, to;		/* the rows batch_tx() writes */
	int quiet_below;	/* rows already reported by a batch being replayed */
	int refused_at;		/* the row whose refusal failed the batch, or -1 */
	int64_t lines, imported, existing, errors, bytes, size;
	int64_t counted[3];	/* imported, existing, errors before this batch */
	double started, last_draw;
	struct arena arena;
	/* occurrences of each row digest, for repeated identical rows */
	uint64_t *seen_keys;
	int *seen_counts;
	size_t seen_cap, seen_n;
};

const char cmd_import_usage[] =
	"usage: retain import orders FILE --shop SHOP_ID [options] [--db PATH]\n"
	"\n"
	"Imports order history as paid orders of the shop's customers (their own ids);\n"
	"importing a file again imports nothing twice. Bad rows, and rows the programme\n"
	"refuses (an order earning past the points limits), are reported as FILE:LINE\n"
	"and skipped (exit 1).\n"
	"\n"
	"  --shop SHOP_ID       the shop (required)\n"
	"  --map COLUMNS        customer=N,date=N,amount=N[,quantity=N][,order=N][,channel=N]:\n"
	"                       numbers from 0, or names from the header row\n"
	"  --header             the first line names the columns (found by their names)\n"
	"  --delimiter D        one character, or tab (default: ',' if the first line has one,\n"
	"                       else ' ')\n"
	"  --date-format FMT    a strptime format such as %Y%m%d (default: 2026-01-31 or an\n"
	"                       RFC 3339 time); dates must exist, from " CLI_STR(ORDER_YEAR_MIN)
	"-01-01\n                       to before " CLI_STR(ORDER_YEAR_END) "-01-01\n"
	"  --currency CODE      ISO 4217 (default EUR); amounts are decimals (\"29.33\")\n"
	"  --dry-run            check every row and say how many would be imported; write\n"
	"                       nothing\n";

static int occurrence(struct import *im, uint64_t key)
{
	if (im->seen_n * 2 >= im->seen_cap) {
		size_t cap = im->seen_cap ? im->seen_cap * 2 : 4096;
		uint64_t *keys = calloc(cap, sizeof(*keys));
		int *counts = calloc(cap, sizeof(*counts));
		if (!keys || !counts)
			abort();
		for (size_t i = 0; i < im->seen_cap; i++)
			if (im->seen_counts[i]) {
				size_t j = im->seen_keys[i] & (cap - 1);
				while (counts[j])
					j = (j + 1) & (cap - 1);
				keys[j] = im->seen_keys[i];
				counts[j] = im->seen_counts[i];
			}
		free(im->seen_keys);
		free(im->seen_counts);
		im->seen_keys = keys;
		im->seen_counts = counts;
		im->seen_cap = cap;
	}
	size_t j = key & (im->seen_cap - 1);
	while (im->seen_counts[j] && im->seen_keys[j] != key)
		j = (j + 1) & (im->seen_cap - 1);
	if (!im->seen_counts[j]) {
		im->seen_keys[j] = key;
		im->seen_n++;
	}
	return ++im->seen_counts[j];
}

static int parse_map(struct import *im, const char *map, char **header, int nheader)
{
	char copy[512], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", map);
	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		int64_t v;
		int c;
		if (!eq)
			goto bad;
		*eq = '\0';
		for (c = 0; c < NCOLUMNS && strcmp(column_names[c], item); c++)
			;
		if (c == NCOLUMNS) {
			fprintf(stderr, "retain import: unknown column \"%s\" in --map (customer, date,"
					" amount, quantity, order, channel)\n", item);
			return -1;
		}
		if (cli_parse_int(eq + 1, INT64_MIN, INT64_MAX, &v)) {
			int h;
			for (h = 0; h < nheader && strcmp(header[h], eq + 1); h++)
				;
			if (h == nheader) {
				fprintf(stderr, "retain import: --map %s=%s: no such column%s\n", item,
					eq + 1, nheader ? " in the header" : " (give a number, or --header)");
				return -1;
			}
			v = h;
		}
		if (v < 0 || v >= CSV_MAX_FIELDS)
			goto bad;
		im->col[c] = (int)v;
	}
	return 0;
bad:
	fprintf(stderr, "retain import: --map must look like \"customer=0,date=1,amount=3\"\n");
	return -1;
}

static void progress(struct import *im, int final)
{
	double now = clock_monotonic_ms();
	if (!im->tty || (!final && now - im->last_draw < 200))
		return;
	im->last_draw = now;
	double secs = (now - im->started) / 1000, rate = secs > 0 ? (double)im->lines / secs : 0;
	int pct = im->size > 0 ? (int)(100 * im->bytes / im->size) : 0, bar = pct / 4;
	fprintf(stderr, "\rimport: [%.*s%*s] %3d%% %lld rows, %.0f rows/s ", bar,
		"=========================", 25 - bar, "", pct, (long long)im->lines, rate);
	if (final)
		fputc('\n', stderr);
}

static void row_error(struct import *im, int64_t line, const char *fmt, const char *value)
{
	if (im->errors++ < 20) {
		if (im->tty)
			fputc('\n', stderr);
		fprintf(stderr, "%s:%lld: ", im->file, (long long)line);
		fprintf(stderr, fmt, value);
		fputc('\n', stderr);
	} else if (im->errors == 21) {
		fprintf(stderr, "retain import: more errors follow; only the first 20 are shown\n");
	}
}

/* The API's date rule; a format only says where the fields are. */
static int parse_date(const char *s, const char *format, int64_t *ms)
{
	struct tm tm;
	if (!format)
		return rfc3339_parse(s, ms);
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;		/* a format without the day means the 1st */
	const char *end = strptime(s, format, &tm);
	if (!end || *end)
		return -1;
	return rfc3339_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
				  tm.tm_sec, ms);
}

/* Parses one data line into a row; 0 ok, -1 reported and skipped. */
static int parse_row(struct import *im, char *line, int64_t lineno, struct row *r)
{
	char raw[LINE_MAX_BYTES], *f[CSV_MAX_FIELDS];
	char digest[SECURE_SHA256_HEX];
	long long amount;
	snprintf(raw, sizeof(raw), "%s", line);
	int n = csv_split(line, im->delimiter, f, CSV_MAX_FIELDS);
	if (n < 0) {
		row_error(im, lineno, "unclosed quote%s", "");
		return -1;
	}
	for (int c = 0; c < NCOLUMNS; c++)
		if (im->col[c] >= n && (c == COL_CUSTOMER || c == COL_DATE || c == COL_AMOUNT)) {
			row_error(im, lineno, "missing the %s column", column_names[c]);
			return -1;
		}
	memset(r, 0, sizeof(*r));
	r->line = lineno;
	if (!*f[im->col[COL_CUSTOMER]] || strlen(f[im->col[COL_CUSTOMER]]) >= sizeof(r->customer) - 1) {
		row_error(im, lineno, "customer id \"%s\" is empty or too long", f[im->col[COL_CUSTOMER]]);
		return -1;
	}
	snprintf(r->customer, sizeof(r->customer), "%s", f[im->col[COL_CUSTOMER]]);
	char range[ORDER_TIME_RANGE_MAX], msg[512];
	const char *date = f[im->col[COL_DATE]];
	if (parse_date(date, im->date_format, &r->placed_at)) {
		snprintf(msg, sizeof(msg), im->date_format
			 ? "date \"%.200s\" does not match --date-format, or is not a real date %s"
			 : "date \"%.200s\" is not a real date like 2026-01-31 or an RFC 3339 time %s",
			 date, order_time_range(range));
		row_error(im, lineno, "%s", msg);
		return -1;
	}
	if (!order_time_valid(r->placed_at)) {
		snprintf(msg, sizeof(msg), "date \"%.200s\" is outside what an order may be placed"
			 " at (%s)", date, order_time_range(range));
		row_error(im, lineno, "%s", msg);
		return -1;
	}
	if (csv_amount(f[im->col[COL_AMOUNT]], im->exponent, &amount) || amount < 0) {
		row_error(im, lineno, "amount \"%s\" is not a non-negative decimal in the currency",
			  f[im->col[COL_AMOUNT]]);
		return -1;
	}
	r->amount = amount;
	r->quantity = 1;
	if (im->col[COL_QUANTITY] >= 0 && im->col[COL_QUANTITY] < n) {
		int64_t q;
		if (cli_parse_int(f[im->col[COL_QUANTITY]], 1, ORDER_QUANTITY_MAX, &q)) {
			row_error(im, lineno, "quantity \"%s\" is not a positive integer", f[im->col[COL_QUANTITY]]);
			return -1;
		}
		r->quantity = q;
	}
	snprintf(r->channel, sizeof(r->channel), "%s",
		 im->col[COL_CHANNEL] >= 0 && im->col[COL_CHANNEL] < n ? f[im->col[COL_CHANNEL]] : "web");
	if (!order_channel_valid(r->channel)) {
		row_error(im, lineno, "unknown channel \"%s\"", r->channel);
		return -1;
	}
	secure_sha256_hex(raw, strlen(raw), digest);
	uint64_t key = strtoull((char[17]){ digest[0], digest[1], digest[2], digest[3], digest[4],
					    digest[5], digest[6], digest[7], digest[8], digest[9],
					    digest[10], digest[11], digest[12], digest[13], digest[14],
					    digest[15], 0 }, NULL, 16);
	if (im->col[COL_ORDER] >= 0 && im->col[COL_ORDER] < n && *f[im->col[COL_ORDER]])
		snprintf(r->order, sizeof(r->order), "%.79s", f[im->col[COL_ORDER]]);
	else
		snprintf(r->order, sizeof(r->order), "imp-%.24s-%d", digest, occurrence(im, key));
	snprintf(r->fingerprint, sizeof(r->fingerprint), "import:%.64s", digest);
	return 0;
}

static void report_row(struct import *im, int i, const struct err *e)
{
	im->errors++;
	if (i < im->quiet_below)
		return;
	if (im->tty)
		fputc('\n', stderr);
	fprintf(stderr, "%s:%lld: %s\n", im->file, (long long)im->rows[i].line, e->message);
}

/* Writes rows from..to in one transaction. A payment the domain refuses (a
 * programme limit, ERR_REFUSED) fails the whole batch: refused_at says which
 * row, and flush() replays the batch row by row. */
static int batch_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct import *im = ctx;
	/* The store may run this again (store.h): count from the batch's start. */
	im->imported = im->counted[0], im->existing = im->counted[1], im->errors = im->counted[2];
	im->refused_at = -1;
	for (int i = im->from; i < im->to; i++) {
		struct row *r = &im->rows[i];
		struct order_line line = { .sku = "imported", .quantity = 1, .unit_price = r->amount };
		struct order_input in = { 0 };
		struct order o;
		int created, rc;
		if (r->amount % r->quantity == 0) {
			line.quantity = r->quantity;
			line.unit_price = r->amount / r->quantity;
		}
		in.external_id = r->order;
		in.customer.external_id = r->customer;
		in.currency = im->currency;
		in.channel = r->channel;
		in.lines = &line;
		in.nlines = 1;
		in.total = r->amount;
		in.placed_at = r->placed_at;
		in.fingerprint = r->fingerprint;
		clock_set_ms(r->placed_at);	/* history happens at its own time */
		rc = order_create(tx, &im->arena, im->shop, &in, &o, &created, e);
		if (rc == ERR_CONFLICT || rc == ERR_INVALID) {
			/* same order id with other content, or a row the domain refuses
			 * (order_create validates before it writes): an error in the
			 * file, not the store */
			report_row(im, i, e);
			continue;
		}
		if (rc)
			return rc;
		if (!created) {
			im->existing++;
			continue;
		}
		struct payment_input pay = { .status = "paid", .amount = -1, .method = "import" };
		if ((rc = order_pay(tx, &im->arena, im->shop, o.id, &pay, &o, e))) {
			if (rc == ERR_REFUSED)
				im->refused_at = i;
			return rc;
		}
		im->imported++;
	}
	arena_free(&im->arena);
	if (im->dry_run)	/* undo the batch: the store rolls back on an error */
		return err_setc(e, ERR_CONFLICT, "dry_run", NULL, "a dry run writes nothing");
	return 0;
}

/* One transaction over rows from..to; a dry run's rollback is success. */
static int write_rows(struct store *st, struct import *im, int from, int to, struct err *e)
{
	im->from = from;
	im->to = to;
	im->counted[0] = im->imported, im->counted[1] = im->existing, im->counted[2] = im->errors;
	int rc = from < to ? store_write(st, batch_tx, im, e) : 0;
	if (im->dry_run && rc == ERR_CONFLICT && !strcmp(e->code, "dry_run"))
		rc = 0;
	return rc;
}

/*
 * Writes the rows read so far, a batch in one transaction. When the domain
 * refuses a row's payment, the batch left no trace (rolled back): it is
 * replayed row by row, each in its own transaction (DESIGN.md §3), so the
 * refused row is reported as FILE:LINE and skipped and the others land.
 */
static int flush(struct store *st, struct import *im, struct err *e)
{
	int64_t imported = im->imported, existing = im->existing, errors = im->errors;
	int rc = im->nrows ? write_rows(st, im, 0, im->nrows, e) : 0;
	if (rc == ERR_REFUSED && im->refused_at >= 0) {
		/* Rows before the refused one were reported once already. */
		im->quiet_below = im->refused_at;
		im->imported = imported, im->existing = existing, im->errors = errors;
		rc = 0;
		for (int i = 0; !rc && i < im->nrows; i++) {
			rc = write_rows(st, im, i, i + 1, e);
			if (rc == ERR_REFUSED && im->refused_at == i) {
				report_row(im, i, e);
				err_clear(e);
				rc = 0;
			}
		}
		im->quiet_below = 0;
	}
	im->nrows = 0;
	return rc;
}

static int shop_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct import *im = ctx;
	struct shop s;
	return shop_get(tx, &im->arena, im->shop, &s, e);
}

int cmd_import(int argc, char **argv, const struct config *cfg)
{
	static struct import im;	/* rows are big: keep them off the stack */
	const char *map = NULL, *delim = NULL, *file = NULL;
	int header = 0, rc = 1;
	struct store *st = NULL;
	struct err e = { 0 };
	char line[LINE_MAX_BYTES];
	FILE *in = NULL;

	memset(&im, 0, sizeof(im));
	im.currency = "EUR";
	for (int c = 0; c < NCOLUMNS; c++)
		im.col[c] = -1;
	if (argc < 2 || strcmp(argv[0], "orders") || argv[1][0] == '-') {
		if (argc > 0 && strcmp(argv[0], "orders"))
			fprintf(stderr, "retain import: unknown kind \"%s\" (only orders)\n", argv[0]);
		else
			fprintf(stderr, "retain import: which FILE?\n");
		return cli_usage(cmd_import_usage);
	}
	file = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *v, **dst = NULL, *name = argv[i];
		if (!strcmp(argv[i], "--header"))
			header = 1;
		else if (!strcmp(argv[i], "--dry-run"))
			im.dry_run = 1;
		else if (cli_option(argc, argv, &i, "--shop", &v))
			dst = &im.shop;
		else if (cli_option(argc, argv, &i, "--map", &v))
			dst = &map;
		else if (cli_option(argc, argv, &i, "--delimiter", &v))
			dst = &delim;
		else if (cli_option(argc, argv, &i, "--date-format", &v))
			dst = &im.date_format;
		else if (cli_option(argc, argv, &i, "--currency", &v))
			dst = &im.currency;
		else {
			fprintf(stderr, "retain import: unknown option \"%s\"\n", argv[i]);
			return cli_usage(cmd_import_usage);
		}
		if (dst && !v)
			return cli_bad("import", "%.*s needs a value", (int)strcspn(name, "="), name);
		if (dst)
			*dst = v;
	}
	if (!im.shop)
		return cli_bad("import", "--shop is required");
	if ((im.exponent = currency_exponent(im.currency)) < 0)
		return cli_bad("import", "--currency \"%s\" is not an ISO 4217 currency", im.currency);
	if (delim && strcmp(delim, "tab") && strlen(delim) != 1)
		return cli_bad("import", "--delimiter \"%s\" must be one character or tab", delim);
	im.file = file;
	if (!(in = fopen(file, "r"))) {
		fprintf(stderr, "retain import: cannot open \"%s\": %s\n", file, strerror(errno));
		return 2;
	}
	struct stat sb;
	im.size = fstat(fileno(in), &sb) == 0 ? sb.st_size : 0;
	im.tty = isatty(2);
	int64_t lineno = 0;
	char *hdr[CSV_MAX_FIELDS];
	int nhdr = 0;
	static char header_line[LINE_MAX_BYTES];
	if (header) {
		if (!fgets(header_line, sizeof(header_line), in)) {
			fprintf(stderr, "retain import: \"%s\" is empty\n", file);
			goto out;
		}
		lineno++;
		im.bytes += (int64_t)strlen(header_line);
	}
	im.delimiter = delim ? (!strcmp(delim, "tab") ? '\t' : delim[0])
		     : strchr(header ? header_line : "", ',') ? ',' : 0;
	if (header) {
		if (!im.delimiter)
			im.delimiter = ' ';
		nhdr = csv_split(header_line, im.delimiter, hdr, CSV_MAX_FIELDS);
		for (int c = 0; c < NCOLUMNS && !map; c++)
			for (int h = 0; h < nhdr; h++)
				if (!strcmp(hdr[h], column_names[c]))
					im.col[c] = h;
	}
	if (map && parse_map(&im, map, hdr, nhdr))
		goto usage_error;
	if (im.col[COL_CUSTOMER] < 0 || im.col[COL_DATE] < 0 || im.col[COL_AMOUNT] < 0) {
		fprintf(stderr, "retain import: the customer, date and amount columns are needed"
				" (--map, or a --header naming them)\n");
		goto usage_error;
	}
	if (cli_store_open(cfg, &st, &e) || store_read(st, shop_tx, &im, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	arena_free(&im.arena);
	int64_t real_now = clock_now_ms();
	clock_enable_test();
	im.started = clock_monotonic_ms();
	int failed = 0;
	while (!failed && fgets(line, sizeof(line), in)) {
		lineno++;
		im.bytes += (int64_t)strlen(line);
		if (!im.delimiter)
			im.delimiter = strchr(line, ',') ? ',' : ' ';
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		im.lines++;
		if (parse_row(&im, line, lineno, &im.rows[im.nrows]) == 0 && ++im.nrows == BATCH)
			failed = flush(st, &im, &e);
		progress(&im, 0);
	}
	if (!failed)
		failed = flush(st, &im, &e);
	clock_set_ms(real_now);
	progress(&im, 1);
	if (failed) {
		rc = cli_fail(&e);
		goto out;
	}
	double secs = (clock_monotonic_ms() - im.started) / 1000;
	if (im.dry_run)
		printf("checked %lld rows: 0 orders imported (a dry run: %lld would be, %lld already"
		       " there), %lld bad rows, in %.1f s\n", (long long)im.lines, (long long)im.imported,
		       (long long)im.existing, (long long)im.errors, secs);
	else
		printf("read %lld rows: %lld orders imported, %lld already there, %lld bad rows,"
		       " in %.1f s (%.0f rows/s)\n", (long long)im.lines, (long long)im.imported,
		       (long long)im.existing, (long long)im.errors, secs,
		       secs > 0 ? (double)im.lines / secs : 0);
	rc = im.errors ? 1 : 0;
	goto out;
usage_error:
	rc = 2;
out:
	if (in)
		fclose(in);
	store_close(st);
	arena_free(&im.arena);
	free(im.seen_keys);
	free(im.seen_counts);
	return rc;
}
