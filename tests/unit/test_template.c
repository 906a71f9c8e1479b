/* The e-mail templates' mustache subset (base/template.h, issue 13): what each
 * tag renders, the errors a bad template gets with its position, and a
 * bounded random-input run (longer with RETAIN_FUZZ_ITERATIONS=N). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/template.h"

static struct arena a;

static struct template_value *data(void)
{
	struct template_value *root = template_map(&a);
	struct template_value *c = template_set_map(&a, root, "customer");
	template_set_text(&a, c, "name", "<script>alert('x')</script> & Co");
	template_set_text(&a, c, "email", "ana@example.com");
	template_set_text(&a, c, "empty", "");
	template_set_text(&a, c, "none", NULL);
	template_set_int(&a, root, "points", 0);
	template_set_bool(&a, root, "vip", 1);
	template_set_bool(&a, root, "new", 0);
	struct template_value *l = template_set_list(&a, root, "lines");
	template_set_text(&a, template_list_add(&a, l), "sku", "TEA-1");
	template_set_text(&a, template_list_add(&a, l), "sku", "TEA-2");
	template_set_list(&a, root, "nothing");
	return root;
}

static const char *render(const char *src, enum template_mode mode, size_t max)
{
	static char out[4096];
	struct buf b;
	struct err e = { 0 };
	buf_init(&b, max);
	int rc = template_render(src, strlen(src), mode, data(), &b, &e);
	if (rc)
		snprintf(out, sizeof(out), "ERROR %d %s: %s", rc, e.code, e.message);
	else
		snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
	buf_free(&b);
	arena_free(&a);
	return out;
}

static const char *check(const char *src)
{
	static char out[400];
	struct err e = { 0 };
	int rc = template_check(src, strlen(src), 1000, "html", NULL, NULL, &e);
	snprintf(out, sizeof(out), "%s", rc ? e.message : "ok");
	return out;
}

Test(template, a_variable_is_html_escaped_in_html_and_plain_in_text)
{
	cr_assert_str_eq(render("Hi {{customer.name}}!", TEMPLATE_AS_HTML, 0),
			 "Hi &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co!");
	cr_assert_str_eq(render("Hi {{customer.name}}!", TEMPLATE_AS_TEXT, 0),
			 "Hi <script>alert('x')</script> & Co!");
}

Test(template, triple_braces_and_ampersand_are_never_escaped)
{
	cr_assert_str_eq(render("{{{customer.name}}}", TEMPLATE_AS_HTML, 0),
			 "<script>alert('x')</script> & Co");
	cr_assert_str_eq(render("{{& customer.name }}", TEMPLATE_AS_HTML, 0),
			 "<script>alert('x')</script> & Co");
}

Test(template, a_section_renders_for_a_true_value_and_an_inverted_one_for_a_false)
{
	cr_assert_str_eq(render("{{#vip}}gold{{/vip}}{{^vip}}plain{{/vip}}", TEMPLATE_AS_TEXT, 0), "gold");
	cr_assert_str_eq(render("{{#new}}new{{/new}}{{^new}}old{{/new}}", TEMPLATE_AS_TEXT, 0), "old");
	cr_assert_str_eq(render("{{#customer.none}}x{{/customer.none}}{{^customer.empty}}e{{/customer.empty}}",
				TEMPLATE_AS_TEXT, 0), "e");
	/* "0" points is a value: true. */
	cr_assert_str_eq(render("{{#points}}{{points}} points{{/points}}", TEMPLATE_AS_TEXT, 0), "0 points");
	cr_assert_str_eq(render("{{^missing}}none{{/missing}}", TEMPLATE_AS_TEXT, 0), "none");
}

Test(template, a_map_section_is_the_context_and_a_list_repeats)
{
	cr_assert_str_eq(render("{{#customer}}{{email}} {{points}}{{/customer}}", TEMPLATE_AS_TEXT, 0),
			 "ana@example.com 0");
	cr_assert_str_eq(render("{{#lines}}[{{sku}}]{{/lines}}{{#nothing}}x{{/nothing}}{{^nothing}}-{{/nothing}}",
				TEMPLATE_AS_TEXT, 0), "[TEA-1][TEA-2]-");
	cr_assert_str_eq(render("{{#vip}}{{.}}{{/vip}}", TEMPLATE_AS_TEXT, 0), "true");
}

Test(template, missing_values_and_comments_render_as_nothing)
{
	cr_assert_str_eq(render("a{{nope}}b{{customer.none}}c{{! a note }}d{{customer}}", TEMPLATE_AS_TEXT, 0),
			 "abcd");
}

Test(template, the_output_is_bounded)
{
	cr_assert(strstr(render("{{#lines}}0123456789{{/lines}}", TEMPLATE_AS_TEXT, 15),
			 "template_output_too_large"));
	cr_assert_str_eq(render("{{#lines}}0123456{{/lines}}", TEMPLATE_AS_TEXT, 14), "01234560123456");
}

Test(template, a_bad_template_is_refused_with_its_line_and_column)
{
	cr_assert_str_eq(check("Hi\n  {{customer.name}"), "\"html\": line 2, column 3: \"{{\" without its \"}}\"");
	cr_assert_str_eq(check("{{#a}}x{{/b}}"),
			 "\"html\": line 1, column 8: \"{{/b}}\" closes the open section \"a\"");
	cr_assert_str_eq(check("x{{/a}}"), "\"html\": line 1, column 2: \"{{/a}}\" closes no section");
	cr_assert_str_eq(check("é{{#a}}"), "\"html\": line 1, column 2: section \"a\" is not closed");
	cr_assert(strstr(check("{{>partial}}"), "partials"));
	cr_assert(strstr(check("{{=<% %>=}}"), "delimiter"));
	cr_assert(strstr(check("{{a..b}}"), "a name is letters"));
	cr_assert(strstr(check("{{ }}"), "a tag without a name"));
	cr_assert(strstr(check("{{{a}}"), "\"{{{\" without its \"}}}\""));
	cr_assert_str_eq(check("{{#a}}{{#b}}{{/b}}{{/a}} {{{c}}} {{! x }}"), "ok");
}

Test(template, sections_nest_at_most_eight_deep)
{
	char deep[400] = "", tail[400] = "";
	for (int i = 0; i < 8; i++) {
		strcat(deep, "{{#a}}");
		strcat(tail, "{{/a}}");
	}
	strcat(deep, tail);
	cr_assert_str_eq(check(deep), "ok");
	cr_assert(strstr(check("{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}"), "at most 8 deep"));
}

Test(template, the_source_is_bounded)
{
	struct err e = { 0 };
	cr_assert_eq(template_check("0123456789", 10, 9, "subject", NULL, NULL, &e), ERR_INVALID);
	cr_assert_str_eq(e.message, "\"subject\" must be at most 9 bytes, not 10");
}

static int known(const char *name, void *ctx)
{
	static const char *const names[] = { "customer.name", "shop.name", "order.lines",
					     "order.lines.sku", NULL };
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

Test(template, names_are_checked_against_the_known_ones_also_inside_sections)
{
	struct err e = { 0 };
	const char *ok = "{{customer.name}}{{#order.lines}}{{sku}}{{.}}{{shop.name}}{{/order.lines}}";
	cr_assert_eq(template_check(ok, strlen(ok), 1000, "text", known, NULL, &e), 0, "%s", e.message);
	const char *bad = "Hello\n{{custmer.name}}";
	cr_assert_eq(template_check(bad, strlen(bad), 1000, "text", known, NULL, &e), ERR_INVALID);
	cr_assert_str_eq(e.message, "\"text\": line 2, column 1: unknown variable \"custmer.name\""
			 " (docs/email.md lists each event's)");
	cr_assert_eq(template_check("{{.}}", 5, 1000, "text", known, NULL, &e), ERR_INVALID);
}

/* Random templates from the pieces that matter: whatever they are, check and
 * render agree, nothing crashes (the sanitizer build runs this too), and the
 * output stays within its bound. */
static const char *const pieces[] = {
	"{{", "}}", "{{{", "}}}", "{{#", "{{^", "{{/", "{{&", "{{!", "{{>", "{{=", "lines", "vip",
	"customer", "customer.name", ".", "..", " ", "\n", "x", "é", "<", "&", "a.", "#", "}", "{",
	"{{#lines}}", "{{/lines}}", "{{customer.name}}", "{{{customer.name}}}", "\xff",
};

Test(template, random_templates_never_break_check_or_render)
{
	const char *env = getenv("RETAIN_FUZZ_ITERATIONS");
	long iterations = env ? atol(env) : 20000;
	unsigned seed = 13;
	char src[600];
	for (long it = 0; it < iterations; it++) {
		size_t n = 0;
		int count = (int)(rand_r(&seed) % 40);
		for (int k = 0; k < count; k++) {
			const char *p = pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t l = strlen(p);
			if (n + l >= sizeof(src))
				break;
			memcpy(src + n, p, l);
			n += l;
		}
		src[n] = '\0';
		struct err e = { 0 };
		int checked = template_check(src, n, sizeof(src), "t", NULL, NULL, &e);
		struct buf b;
		buf_init(&b, 200);
		int rendered = template_render(src, n, rand_r(&seed) % 2 ? TEMPLATE_AS_HTML : TEMPLATE_AS_TEXT,
					       data(), &b, &e);
		cr_assert(checked ? rendered == checked : rendered == 0 || rendered == ERR_TOO_LARGE,
			  "check %d, render %d for \"%s\"", checked, rendered, src);
		cr_assert(b.len <= 200);
		buf_free(&b);
		arena_free(&a);
	}
}
