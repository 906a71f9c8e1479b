// dashboard_backtest.test.mjs: the programme page's draft backtest form
// (issue 14) in Debian's chromium against a demo shop: a draft typed into the
// form shows what POST /v1/program/backtest answers for it (points issued and
// what they would cost, against the current programme), nothing is saved,
// and a bad draft is a 400 page that names the field. Also the analytic
// pages' "refresh now" button (analytics/report_cache.h): it recomputes the
// report and the page says the new time.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, screenshotPath, skipReason, startRetain, signIn } from './harness.mjs';

const skip = skipReason();
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const DRAFT = { earn: { points_per_unit: 4 }, point_value: 3, pending_days: 0, expiry: { policy: 'never' } };

describe('dashboard backtest', { skip: skip || false }, () => {
	let retain, browser, now;

	before(async () => {
		retain = await startRetain({ customers: 60, seed: 5 });
		now = Math.floor(Date.now() / 1000) * 1000;
		const r = await retain.operator('POST', '/v1/test/clock', { body: { now: iso(now) } });
		assert.equal(r.status, 200, r.text);
		browser = await launchBrowser();
	});

	after(async () => {
		await browser?.close();
		const rc = await retain?.stop();
		assert.equal(rc, 0, 'retain serve exited cleanly');
	});

	const signedIn = () => signIn(browser, retain);

	test('dashboard backtest: a draft programme shows what the API answers and what it would cost, saving nothing', async () => {
		const { context, page, problems } = await signedIn();
		const before = (await retain.api('GET', '/v1/program')).json;
		await page.goto(retain.url + '/dashboard/program');
		await page.locator('#program-backtest-form textarea[name="program"]').fill(JSON.stringify(DRAFT, null, 2));
		await page.locator('#program-backtest-form input[name="days"]').fill('90');
		await Promise.all([page.waitForURL(/\/dashboard\/program\/backtest$/),
				   page.locator('#program-backtest-form button[type="submit"]').click()]);
		const api = (await retain.api('POST', '/v1/program/backtest', { body: { days: 90, program: DRAFT } })).json;
		const result = page.locator('#program-backtest-result');
		assert.equal(Number(await result.getAttribute('data-days')), 90);
		assert.equal(Number(await result.getAttribute('data-orders-considered')), api.orders_considered);
		assert.equal(Number(await result.getAttribute('data-orders-reached')), api.orders_reached);
		assert.equal(Number(await result.getAttribute('data-customers-reached')), api.customers_reached);
		assert.equal(Number(await result.getAttribute('data-difference')), api.difference);
		assert.ok(api.orders_considered > 0, 'the demo shop has orders in 90 days');
		const issued = page.locator('#program-backtest-points tr[data-field="points_issued"]');
		assert.equal(Number(await issued.getAttribute('data-draft')), api.points_issued_draft);
		assert.equal(Number(await issued.getAttribute('data-current')), api.points_issued_current);
		const cost = page.locator('#program-backtest-points tr[data-field="cost"]');
		assert.equal(Number(await cost.getAttribute('data-draft')), api.points_issued_draft * 3);
		assert.equal(Number(await cost.getAttribute('data-current')), api.points_issued_current * (before.point_value ?? 0));
		// the form holds the draft again, to change and run once more
		assert.deepEqual(JSON.parse(await page.locator('#program-backtest-form textarea').inputValue()), DRAFT);
		await page.screenshot({ path: screenshotPath('dashboard-program-backtest'), fullPage: true });
		assert.deepEqual((await retain.api('GET', '/v1/program')).json, before, 'nothing saved');
		assert.deepEqual(problems, []);
		await context.close();
	});

	test('dashboard backtest: a bad draft is a 400 page naming the field', async () => {
		const { context, page } = await signedIn();
		await page.goto(retain.url + '/dashboard/program');
		await page.locator('#program-backtest-form textarea[name="program"]').fill('{"point_value": "lots"}');
		const [resp] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/dashboard/program/backtest')),
						  page.locator('#program-backtest-form button[type="submit"]').click()]);
		assert.equal(resp.status(), 400);
		assert.match(await page.locator('#error .message').textContent(), /point_value/);
		await context.close();
	});

	test('dashboard backtest: "refresh now" recomputes a cached report and the page says when', async () => {
		const { context, page } = await signedIn();
		await page.goto(retain.url + '/dashboard/rfm');
		const first = await page.locator('#as-of').getAttribute('data-computed-at');
		const later = now + 5 * 60000;
		assert.equal((await retain.operator('POST', '/v1/test/clock', { body: { now: iso(later) } })).status, 200);
		await page.reload();
		assert.equal(await page.locator('#as-of').getAttribute('data-computed-at'), first, 'served from the cache');
		await Promise.all([page.waitForURL(/\/dashboard\/rfm$/), page.locator('#refresh-form button').click()]);
		assert.equal(await page.locator('#as-of').getAttribute('data-computed-at'), iso(later));
		await context.close();
	});
});
