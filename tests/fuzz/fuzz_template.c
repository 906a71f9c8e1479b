/* libFuzzer target for the e-mail templates (base/template.h): any bytes are
 * checked and rendered, in both modes, against a small fixed data tree, with
 * the output bounded. `make fuzz-template` builds it with clang; run it as
 * build/fuzz-template -max_total_time=60. The Criterion suite runs a bounded
 * random-input pass of the same kind on every make test
 * (tests/unit/test_template.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct template_value *root = template_map(&a);
	struct template_value *c = template_set_map(&a, root, "customer");
	template_set_text(&a, c, "name", "<b>&'\"");
	template_set_bool(&a, root, "vip", 1);
	struct template_value *l = template_set_list(&a, root, "lines");
	template_set_text(&a, template_list_add(&a, l), "sku", "A");
	template_set_text(&a, template_list_add(&a, l), "sku", "B");
	struct err e = { 0 };
	int checked = template_check((const char *)data, size, 65536, "t", NULL, NULL, &e);
	for (int mode = 0; mode < 2; mode++) {
		struct buf b;
		buf_init(&b, 4096);
		int rc = template_render((const char *)data, size, (enum template_mode)mode, root, &b, &e);
		if ((checked && rc != checked) || (!checked && rc && rc != ERR_TOO_LARGE) || b.len > 4096)
			abort();
		buf_free(&b);
	}
	arena_free(&a);
	return 0;
}
