/* Unit tests of the dashboard's output (issue 14): html_text() escapes every
 * character that could end an element or an attribute, html_url() leaves only
 * unreserved characters, and every SVG mark carries its number. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "web/html.h"
#include "web/svg.h"

static void assert_text(const char *s, const char *want)
{
	struct buf b;
	buf_init(&b, 0);
	html_text(&b, s);
	cr_assert_str_eq(b.data ? b.data : "", want);
	buf_free(&b);
}

Test(web, html_text_escapes_the_five_characters)
{
	assert_text("<script>alert('x' & \"y\")</script>",
		    "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;");
	assert_text("Zoë — tea", "Zoë — tea");
	assert_text("", "");
	assert_text(NULL, "");
}

Test(web, html_url_percent_encodes_all_but_unreserved)
{
	struct buf b;
	buf_init(&b, 0);
	html_url(&b, "a b&c=d/\"<>'~._-");
	cr_assert_str_eq(b.data, "a%20b%26c%3Dd%2F%22%3C%3E%27~._-");
	buf_free(&b);
}

Test(web, every_mark_of_a_line_holds_its_value_and_a_title)
{
	struct buf b;
	struct svg_point p[3] = { { "2031-01", 0.5 }, { "2031-02", NAN }, { "<b>", 0.25 } };
	buf_init(&b, 0);
	svg_line(&b, "t", "Trend <x>", p, 3, 100, "%.1f%%");
	cr_assert(strstr(b.data, "data-value=\"0.5\""));
	cr_assert(strstr(b.data, "data-value=\"\""));
	cr_assert(strstr(b.data, "data-value=\"0.25\""));
	cr_assert(strstr(b.data, "<title>2031-01: 50.0%</title>"));
	cr_assert(strstr(b.data, "<title>2031-02: no data</title>"));
	cr_assert(strstr(b.data, "aria-label=\"Trend &lt;x&gt;\""));
	cr_assert_null(strstr(b.data, "<b>"));
	buf_free(&b);
}

Test(web, a_heat_map_draws_a_cell_per_number_and_none_for_nan)
{
	struct buf b;
	const char *rows[] = { "r0", "r1" }, *cols[] = { "M0", "M1" };
	double v[] = { 1, 0.5, 1, NAN };
	buf_init(&b, 0);
	svg_heat(&b, "h", "Heat", rows, 2, cols, 2, v, 100, "%.0f%%");
	int cells = 0;
	for (const char *p = b.data; (p = strstr(p, "class=\"mark cell")); p++)
		cells++;
	cr_assert_eq(cells, 3);
	cr_assert(strstr(b.data, "<title>r0, M1: 50%</title>"));
	buf_free(&b);
}
