/* cli.c: helpers shared by the commands; see cli.h. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_fail(const struct err *e)
{
	fprintf(stderr, "retain: %s\n", e->message[0] ? e->message : "failed");
	return e->kind == ERR_INVALID ? 2 : 1;
}

int cli_option(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*value = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		*value = NULL;
		return 1;
	}
	*value = argv[++*i];
	return 1;
}
