// dashboard.test.mjs: the dashboard (issue 14, docs/dashboard.md) in Debian's
// chromium against a demo shop: sign in with the shop's secret key, open every
// page (a screenshot of each into build/screenshots/), the numbers in the SVG
// marks are the report API's, a form with a forged CSRF token is refused and
// changes nothing, a session ends after 12 idle hours on the test clock, and no
// page opens without a session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { OPERATOR_KEY, launchBrowser, screenshotPath, skipReason, startRetain, signIn } from './harness.mjs';

const skip = skipReason();
const DAY = 86400000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const close = (a, b) => (a === null && b === null) || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('dashboard', { skip: skip || false }, () => {
	let retain, browser, now, customer;

	before(async () => {
		retain = await startRetain({ customers: 80, seed: 11 });
		// Freeze the clock on a whole second, so the pages and the API read
		// the same windows.
		now = Math.floor(Date.now() / 1000) * 1000;
		const r = await retain.operator('POST', '/v1/test/clock', { body: { now: iso(now) } });
		assert.equal(r.status, 200, r.text);
		const list = await retain.api('GET', '/v1/customers?limit=5');
		customer = list.json.data[0].id;
		browser = await launchBrowser();
	});

	after(async () => {
		await browser?.close();
		const rc = await retain?.stop();
		assert.equal(rc, 0, 'retain serve exited cleanly');
	});

	const signedIn = () => signIn(browser, retain);

	const marks = (page, chart) => page.locator(`svg#${chart} .mark`).evaluateAll(
		(ns) => ns.map((n) => (n.getAttribute('data-value') === '' ? null : Number(n.getAttribute('data-value')))));
	const figure = async (page, card) => {
		const v = await page.locator(`#figure-${card}`).getAttribute('data-value');
		return v === '' ? null : Number(v);
	};

	test('dashboard: every page opens signed in, with no script error, CSP violation or third-party request', async () => {
		const { context, page, problems } = await signedIn();
		const pages = {
			overview: '/dashboard/overview', cohorts: '/dashboard/cohorts', rfm: '/dashboard/rfm',
			clv: '/dashboard/clv', program: '/dashboard/program', queues: '/dashboard/queues',
			customer: `/dashboard/customers/${customer}`
		};
		for (const [name, path] of Object.entries(pages)) {
			const resp = await page.goto(retain.url + path);
			assert.equal(resp.status(), 200, `${path}: ${resp.status()}`);
			assert.ok(resp.headers()['content-security-policy'], `${path} has a CSP`);
			await page.screenshot({ path: screenshotPath('dashboard-' + name), fullPage: true });
		}
		assert.deepEqual(problems, []);
		await context.close();
	});

	test('dashboard: the overview\'s figures are the retention report\'s for the last 365 days', async () => {
		const { context, page } = await signedIn();
		await page.goto(retain.url + '/dashboard/overview');
		const rep = (await retain.api('GET', `/v1/reports/retention?from=${iso(now - 365 * DAY)}&to=${iso(now)}`)).json;
		assert.ok(close(await figure(page, 'repeat-rate'), rep.all.repeat_rate), 'repeat rate');
		assert.equal(await figure(page, 'active-members'), rep.members_vs_non_members.members.customers);
		const trend = await marks(page, 'trend-repeat-rate');
		assert.equal(trend.length, 12);
		assert.ok(close(trend[11], rep.all.repeat_rate), 'the last point of the trend is now');
		await context.close();
	});

	test('dashboard: the cohort heat maps hold the cohort report\'s numbers', async () => {
		const { context, page } = await signedIn();
		await page.goto(retain.url + '/dashboard/cohorts');
		const rep = (await retain.api('GET', '/v1/reports/cohorts')).json.cohorts;
		const want = rep.flatMap((row) => row.retention);
		const got = await marks(page, 'cohort-retention');
		assert.equal(got.length, want.length);
		got.forEach((v, i) => assert.ok(close(v, want[i]), `cell ${i}: ${v} vs ${want[i]}`));
		const revenue = await marks(page, 'cohort-revenue');
		rep.flatMap((row) => row.revenue_retention).forEach((v, i) => assert.ok(close(revenue[i], v), `revenue ${i}`));
		// hovering a cell shows its numbers (the mark's <title>)
		const title = await page.locator('svg#cohort-retention .mark title').first().textContent();
		assert.match(title, new RegExp('^' + rep[0].cohort));
		await context.close();
	});

	test('dashboard: the RFM grid counts are the report\'s customers by score', async () => {
		const { context, page } = await signedIn();
		await page.goto(retain.url + '/dashboard/rfm');
		const rep = (await retain.api('GET', '/v1/reports/rfm?include=customers')).json;
		const cells = await page.locator('[data-r][data-f][data-value]').evaluateAll((ns) => ns.map((n) => ({
			r: Number(n.dataset.r), f: Number(n.dataset.f), n: Number(n.dataset.value) })));
		assert.equal(cells.length, 25);
		for (const c of cells)
			assert.equal(c.n, rep.customers_detail.filter((d) => d.r === c.r && d.f === c.f).length, `cell r${c.r} f${c.f}`);
		assert.equal(cells.reduce((s, c) => s + c.n, 0), rep.customers);
		await context.close();
	});

	test('dashboard: clicking an RFM cell lists its customers, as the report has them', async () => {
		const { context, page } = await signedIn();
		await page.goto(retain.url + '/dashboard/rfm');
		const rep = (await retain.api('GET', '/v1/reports/rfm?include=customers')).json;
		const cell = page.locator('#rfm-grid td.cell:not([data-value="0"])').first();
		const [r, f, n] = await cell.evaluate((c) => [Number(c.dataset.r), Number(c.dataset.f), Number(c.dataset.value)]);
		await Promise.all([page.waitForURL(/\/dashboard\/rfm\/customers/), cell.locator('a').first().click()]);
		assert.equal(Number(await page.locator('#rfm-count').getAttribute('data-value')), n);
		const shown = await page.locator('#rfm-customers tr[data-customer]').evaluateAll((ns) => ns.map((x) => x.dataset.customer).sort());
		assert.deepEqual(shown, rep.customers_detail.filter((d) => d.r === r && d.f === f).map((d) => d.customer).sort());
		await page.screenshot({ path: screenshotPath('dashboard-rfm-customers'), fullPage: true });
		await context.close();
	});

	test('dashboard: the operator signs in, picks the demo shop and sees its programme', async () => {
		const context = await browser.newContext();
		const page = await context.newPage();
		await page.goto(retain.url + '/dashboard/sign-in');
		await page.locator('#key').fill(OPERATOR_KEY);
		await Promise.all([page.waitForURL(/\/dashboard\/shops/), page.locator('#sign-in-form button[type="submit"]').click()]);
		await page.screenshot({ path: screenshotPath('dashboard-shops'), fullPage: true });
		const row = page.locator(`#shops tr[data-shop="${retain.keys.shop}"]`);
		await Promise.all([page.waitForURL(/\/dashboard\/overview/), row.locator('button[type="submit"]').click()]);
		await page.goto(retain.url + '/dashboard/program');
		const program = (await retain.api('GET', '/v1/program')).json;
		assert.equal(Number(await page.locator('#program').getAttribute('data-version')), program.version);
		const campaigns = (await retain.api('GET', '/v1/campaigns?limit=100')).json.data;
		const rows = await page.locator('#campaigns tr[data-campaign]').evaluateAll((ns) => ns.map((x) => x.dataset.campaign).sort());
		assert.deepEqual(rows, campaigns.map((c) => c.id).sort());
		await context.close();
	});

	test('dashboard: the CLV page\'s counts and total are the CLV report\'s', async () => {
		const { context, page } = await signedIn();
		await page.goto(retain.url + '/dashboard/clv');
		const rep = (await retain.api('GET', '/v1/reports/clv')).json;
		assert.equal(Number(await page.locator('#clv-summary').getAttribute('data-customers')), rep.customers);
		assert.ok(rep.enough_data, 'the demo shop has enough data for a fit');
		const bins = await marks(page, 'clv-histogram');
		assert.equal(bins.length, 10);
		assert.equal(bins.reduce((a, b) => a + b, 0), rep.churn_risk.low + rep.churn_risk.medium + rep.churn_risk.high,
			     'every customer with a CLV is in one bin');
		for (const risk of ['low', 'medium', 'high'])
			assert.equal(Number(await page.locator(`#risk-${risk}`).getAttribute('data-value')), rep.churn_risk[risk], risk);
		assert.ok(close(Number(await page.locator('#clv-total').getAttribute('data-value')), rep.clv.total));
		await context.close();
	});

	test('dashboard: a <script> in a customer\'s name shows as text on the customer page and never runs', async () => {
		const evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
		const c = (await retain.api('GET', '/v1/customers?limit=5')).json.data[1].id;
		const r = await retain.api('PATCH', `/v1/customers/${c}`, { body: { name: evil } });
		assert.equal(r.status, 200, r.text);
		const { context, page } = await signedIn();
		await page.goto(retain.url + `/dashboard/customers/${c}`);
		const seen = await page.evaluate(() => ({ pwned: window.__pwned ?? null, text: document.body.innerText,
			injected: document.querySelectorAll('main script, body img').length }));
		assert.equal(seen.pwned, null);
		assert.equal(seen.injected, 0);
		assert.ok(seen.text.includes(evil), 'the name is shown as the characters it is');
		await context.close();
	});

	test('dashboard: a form with a forged CSRF token is refused and changes nothing', async () => {
		const { context, page } = await signedIn();
		page.on('dialog', (d) => d.accept());	// the form asks "Change this customer's points?"
		await page.goto(retain.url + `/dashboard/customers/${customer}`);
		const before = (await retain.api('GET', `/v1/customers/${customer}/loyalty`)).json.points.available;
		assert.equal(Number(await page.locator('#customer-points [data-field="available"]').getAttribute('data-value')), before);
		const form = page.locator('form[action$="/adjust"]');
		await form.locator('input[name="points"]').fill('77');
		const reason = form.locator('input[name="reason"], textarea[name="reason"]');
		if (await reason.count())
			await reason.first().fill('browser test');
		await form.locator('input[name="csrf"]').evaluate((n) => { n.value = 'f'.repeat(n.value.length); });
		const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/adjust')),
			form.locator('button[type="submit"], input[type="submit"]').first().click()]);
		assert.equal(resp.status(), 403);
		const afterPoints = (await retain.api('GET', `/v1/customers/${customer}/loyalty`)).json.points.available;
		assert.equal(afterPoints, before);
		await context.close();
	});

	test('dashboard: the adjustment form with its own token changes the points the API shows', async () => {
		const { context, page } = await signedIn();
		page.on('dialog', (d) => d.accept());
		await page.goto(retain.url + `/dashboard/customers/${customer}`);
		const before = (await retain.api('GET', `/v1/customers/${customer}/loyalty`)).json.points.available;
		const form = page.locator('form[action$="/adjust"]');
		await form.locator('input[name="points"]').fill('77');
		await form.locator('input[name="reason"]').fill('browser test');
		await Promise.all([page.waitForResponse((r) => r.url().includes(`/dashboard/customers/${customer}`) && r.request().method() === 'GET'),
			form.locator('button[type="submit"]').click()]);
		const now2 = (await retain.api('GET', `/v1/customers/${customer}/loyalty`)).json.points.available;
		assert.equal(now2, before + 77);
		await page.goto(retain.url + `/dashboard/customers/${customer}`);
		assert.equal(Number(await page.locator('#customer-points [data-field="available"]').getAttribute('data-value')), now2);
		await context.close();
	});

	test('dashboard: a session ends after 12 idle hours on the test clock', async () => {
		const { context, page } = await signedIn();
		await page.goto(retain.url + '/dashboard/cohorts');
		assert.match(page.url(), /\/dashboard\/cohorts$/);
		let r = await retain.operator('POST', '/v1/test/clock', { body: { advance_seconds: 12 * 3600 + 60 } });
		assert.equal(r.status, 200, r.text);
		try {
			await page.goto(retain.url + '/dashboard/cohorts');
			assert.match(page.url(), /\/dashboard\/sign-in/, 'sent back to sign in');
		} finally {
			r = await retain.operator('POST', '/v1/test/clock', { body: { now: iso(now) } });
			assert.equal(r.status, 200, r.text);
			await context.close();
		}
	});

	test('dashboard: no page opens without a session', async () => {
		const context = await browser.newContext();
		const page = await context.newPage();
		for (const path of ['/dashboard/overview', '/dashboard/rfm', '/dashboard/clv', `/dashboard/customers/${customer}`]) {
			await page.goto(retain.url + path);
			assert.match(page.url(), /\/dashboard\/sign-in/, path);
		}
		await page.screenshot({ path: screenshotPath('dashboard-sign-in'), fullPage: true });
		await context.close();
	});
});

if (skip)
	test(`browser tests skipped: ${skip}`, { skip: skip }, () => {});
