// widget.test.mjs: the storefront widget (issue 14, docs/widget.md) on a host
// page of another origin, in Debian's chromium: it shows the demo customer's
// numbers as the API gives them, redeems a reward, leaves the host page's
// styles alone under a strict CSP, and shows markup in names as text.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, screenshotPath, serveHost, skipReason, startRetain } from './harness.mjs';

const skip = skipReason();
const EVIL_NAME = '<script>window.__pwned = "name"</script><b>Nino</b>';
const EVIL_OFFER = '<img src=x onerror="window.__pwned = \'offer\'">Tea <script>window.__pwned = "offer"</script>';

const HOST_CSS = `
body { font-family: serif; color: rgb(10, 20, 30); }
p.host { color: rgb(200, 0, 0); font-size: 18px; }
li { color: rgb(0, 128, 0); letter-spacing: 3px; }
button { background: rgb(255, 0, 255); }
h3 { font-size: 40px; }
`;

function hostPage(retainUrl, cfg, withWidget) {
	const tag = withWidget
		? `<script src="${retainUrl}/widget.js" data-key="${cfg.pk}" data-customer="${cfg.customer}"
			   data-customer-token="${cfg.token}"></script>`
		: '';
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tea shop</title>
<link rel="stylesheet" href="/host.css"></head><body>
<p class="host">The shop's own text</p><ul><li class="host">the shop's own list</li></ul>
<h3 class="host">The shop's heading</h3><button class="host">Shop button</button>
${tag}
</body></html>`;
}

async function pickCustomer(retain) {
	const list = await retain.api('GET', '/v1/customers?limit=100');
	let best = null;
	for (const c of list.json.data) {
		const l = await retain.api('GET', `/v1/customers/${c.id}/loyalty`);
		const orders = await retain.api('GET', `/v1/customers/${c.id}/orders?limit=1`);
		if (!orders.json.data.length || !['paid', 'partially_refunded'].includes(orders.json.data[0].status))
			continue;
		if (!best || l.json.points.available > best.points)
			best = { id: c.id, points: l.json.points.available, order: orders.json.data[0] };
	}
	assert.ok(best, 'the demo has a customer with a paid order');
	return best;
}

describe('storefront widget', { skip: skip || false }, () => {
	let retain, host, browser, cfg;

	before(async () => {
		retain = await startRetain({ customers: 60, seed: 7 });
		const c = await pickCustomer(retain);
		if (c.points < 600) {	// enough for the demo's rewards (250 and 400 points)
			const r = await retain.api('POST', `/v1/customers/${c.id}/adjustments`,
						   { body: { points: 600, reason: 'browser test' } });
			assert.equal(r.status, 200, r.text);
		}
		let r = await retain.api('PATCH', `/v1/customers/${c.id}`, { body: { display_name: EVIL_NAME } });
		assert.equal(r.status, 200, r.text);
		const now = Date.now();
		r = await retain.api('POST', '/v1/campaigns', { body: {
			name: EVIL_OFFER, type: 'generic', code: 'SCRIPT10',
			starts_at: new Date(now - 86400000).toISOString().replace(/\.\d+Z$/, 'Z'),
			ends_at: new Date(now + 30 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z'),
			timezone: 'UTC', discount: { kind: 'percent', value: 10 }, conditions: {}, limits: {},
			targeting: { all: true }, stacking: { mode: 'exclusive' } } });
		assert.equal(r.status, 201, r.text);
		r = await retain.api('PUT', '/v1/interests/catalogue', { body: { interests: [
			{ key: 'green_tea', name: 'Green tea' }, { key: 'teaware', name: 'Teaware' }] } });
		assert.equal(r.status, 200, r.text);
		r = await retain.api('POST', `/v1/orders/${c.order.id}/shipments`,
				     { body: { external_id: 'P-browser', carrier: 'InPost', tracking_id: 'TR-1' } });
		assert.equal(r.status, 201, r.text);
		r = await retain.api('POST', `/v1/shipments/${r.json.id}/events`, { body: {
			external_id: 'ev-1', type: 'out_for_delivery', at: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z') } });
		assert.ok(r.status === 201 || r.status === 200, r.text);
		r = await retain.api('POST', `/v1/customers/${c.id}/tokens`);
		assert.equal(r.status, 201, r.text);
		cfg = { customer: c.id, token: r.json.token, pk: retain.keys.publishable_key };
		const csp = `default-src 'none'; script-src ${retain.url}; connect-src ${retain.url}; style-src 'self'; img-src 'none'`;
		host = await serveHost({
			'/': { body: () => hostPage(retain.url, cfg, true), headers: { 'Content-Security-Policy': csp } },
			'/plain': { body: () => hostPage(retain.url, cfg, false), headers: { 'Content-Security-Policy': csp } },
			'/host.css': { type: 'text/css', body: HOST_CSS }
		});
		browser = await launchBrowser();
	});

	after(async () => {
		await browser?.close();
		await host?.close();
		const rc = await retain?.stop();
		assert.equal(rc, 0, 'retain serve exited cleanly');
	});

	async function openWidget() {
		const page = await browser.newPage();
		const problems = [];
		// a CSP violation is reported on the console; a missing favicon is not a problem
		page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) problems.push(m.text()); });
		page.on('pageerror', (e) => problems.push(String(e)));
		await page.goto(host.url + '/');
		await page.locator('[data-retain-widget][data-state="ready"]').waitFor({ timeout: 15000 });
		return { page, problems };
	}

	const value = (page, part) => page.locator(`[data-part="${part}"]`).first().getAttribute('data-value');
	const text = (page, part) => page.locator(`[data-part="${part}"]`).first().textContent();

	test('widget: shows the customer\'s points, tier, milestone, rewards, codes, orders and terms as the API does', async () => {
		const { page, problems } = await openWidget();
		const me = `/v1/customers/${cfg.customer}`;
		const h = { key: cfg.pk, headers: { 'Customer-Token': cfg.token } };
		const loyalty = (await retain.api('GET', me + '/loyalty', h)).json;
		assert.equal(Number(await value(page, 'points-available')), loyalty.points.available);
		assert.equal(Number(await value(page, 'points-pending')), loyalty.points.pending);
		assert.equal(Number(await value(page, 'points-expiring')), loyalty.points.expiring_within_30_days);
		assert.equal(await text(page, 'tier-name'), loyalty.tier.name || 'none yet');
		assert.equal(await text(page, 'tier-progress'), loyalty.tier.progress);
		const next = loyalty.milestones.upcoming[0];
		assert.equal(await text(page, 'next-milestone'), next ? next.text : 'no milestone ahead');

		const rewards = (await retain.api('GET', me + '/rewards', h)).json.data;
		assert.deepEqual(await page.locator('[data-part="reward-name"]').allTextContents(), rewards.map((w) => w.name));
		const costs = await page.locator('[data-part="reward-cost"]').evaluateAll((ns) => ns.map((n) => Number(n.dataset.value)));
		assert.deepEqual(costs, rewards.map((w) => w.cost));

		const orders = (await retain.api('GET', me + '/orders?limit=10', h)).json.data;
		const shown = await page.locator('li[data-order]').evaluateAll((ns) => ns.map((n) => ({
			id: n.dataset.order,
			total: Number(n.querySelector('[data-part="order-total"]').dataset.value),
			state: n.querySelector('[data-part="delivery-state"]').dataset.value })));
		assert.deepEqual(shown, orders.map((o) => ({ id: o.id, total: o.total, state: o.delivery.state })));
		assert.ok(shown.some((o) => o.state === 'out_for_delivery'), 'the parcel shipped for the test shows');

		const offers = (await retain.api('GET', me + '/offers', h)).json.data;
		const codes = await page.locator('li[data-part="offer"]').evaluateAll((ns) => ns.map((n) => n.dataset.code));
		assert.deepEqual(codes, offers.map((o) => o.code));
		assert.ok(codes.includes('SCRIPT10'));

		const terms = (await retain.api('GET', '/v1/program/terms', h)).json;
		assert.equal(await page.locator('[data-part="terms-text"]').textContent(), terms.text);
		assert.deepEqual(problems, [], 'no script error and no CSP violation');
		await page.screenshot({ path: screenshotPath('widget'), fullPage: true });
		await page.close();
	});

	test('widget: redeeming a reward takes its points and shows the code the API gave', async () => {
		const { page } = await openWidget();
		const me = `/v1/customers/${cfg.customer}`;
		const h = { key: cfg.pk, headers: { 'Customer-Token': cfg.token } };
		const before = (await retain.api('GET', me + '/loyalty', h)).json.points.available;
		const rewards = (await retain.api('GET', me + '/rewards', h)).json.data;
		const reward = rewards.find((w) => w.affordable && w.kind.startsWith('discount'));
		assert.ok(reward, 'an affordable discount reward');
		await page.locator(`button[data-part="redeem"][data-reward="${reward.key}"]`).click();
		await page.locator('[data-part="new-code"]').waitFor({ timeout: 15000 });
		const code = await page.locator('[data-part="new-code"]').textContent();
		const mine = (await retain.api('GET', me + '/redemptions?limit=1', h)).json.data[0];
		assert.equal(mine.reward, reward.key);
		assert.equal(code, mine.code);
		const afterPoints = (await retain.api('GET', me + '/loyalty', h)).json.points.available;
		assert.equal(afterPoints, before - reward.cost);
		assert.equal(Number(await value(page, 'points-available')), afterPoints);
		assert.ok(await page.locator(`li[data-part="code"][data-code="${code}"]`).count() === 1,
			  'the code is listed among the customer\'s codes');
		await page.screenshot({ path: screenshotPath('widget-redeemed'), fullPage: true });
		await page.close();
	});

	test('widget: a redemption whose answer was lost is retried with the same Idempotency-Key and spends once', async () => {
		const { page } = await openWidget();
		const me = `/v1/customers/${cfg.customer}`;
		const h = { key: cfg.pk, headers: { 'Customer-Token': cfg.token } };
		const before = (await retain.api('GET', me + '/loyalty', h)).json.points.available;
		const reward = (await retain.api('GET', me + '/rewards', h)).json.data.find((w) => w.affordable && w.kind.startsWith('discount'));
		const keys = [];
		let lose = true;
		await page.route('**/redemptions', async (route) => {
			if (route.request().method() !== 'POST')
				return route.continue();
			keys.push(route.request().headers()['idempotency-key']);
			if (lose) {	// the server does the work, the answer never arrives
				lose = false;
				await route.fetch();
				return route.abort('connectionreset');
			}
			return route.continue();
		});
		const button = page.locator(`button[data-part="redeem"][data-reward="${reward.key}"]`);
		await button.click();
		await page.locator('[data-part="redeem-message"]').filter({ hasText: /\S/ }).waitFor({ timeout: 15000 });
		assert.equal((await retain.api('GET', me + '/loyalty', h)).json.points.available, before - reward.cost,
			     'the first request was carried out');
		await button.click();
		await page.locator('[data-part="new-code"]').waitFor({ timeout: 15000 });
		assert.equal(keys.length, 2);
		assert.equal(keys[0], keys[1], 'the retry carries the same Idempotency-Key');
		assert.equal((await retain.api('GET', me + '/loyalty', h)).json.points.available, before - reward.cost,
			     'spent once');
		await page.close();
	});

	test('widget: the host page keeps its own styles and the widget keeps its own', async () => {
		const read = (page) => page.evaluate(() => {
			const pick = (sel, props) => {
				const s = getComputedStyle(document.querySelector(sel));
				return Object.fromEntries(props.map((p) => [p, s.getPropertyValue(p)]));
			};
			return {
				body: pick('body', ['font-family', 'color', 'margin-top']),
				p: pick('p.host', ['color', 'font-size']),
				li: pick('li.host', ['color', 'letter-spacing']),
				h3: pick('h3.host', ['font-size']),
				button: pick('button.host', ['background-color'])
			};
		});
		const plain = await browser.newPage();
		await plain.goto(host.url + '/plain');
		const without = await read(plain);
		await plain.close();
		const { page } = await openWidget();
		assert.deepEqual(await read(page), without, 'the widget changed no style of the host page');
		assert.equal(without.p.color, 'rgb(200, 0, 0)', 'the host stylesheet applied');
		const inside = await page.evaluate(() => {
			const root = document.querySelector('[data-retain-widget]').shadowRoot;
			const s = (sel) => getComputedStyle(root.querySelector(sel));
			return { li: s('li').color, spacing: s('li').letterSpacing, h3: s('h3').fontSize,
				 button: s('button').backgroundColor, font: s('.rw').fontFamily };
		});
		assert.notEqual(inside.li, 'rgb(0, 128, 0)', 'the host\'s li colour does not reach the widget');
		assert.equal(inside.spacing, 'normal');
		assert.notEqual(inside.h3, '40px');
		assert.notEqual(inside.button, 'rgb(255, 0, 255)');
		assert.ok(!inside.font.includes('serif') || inside.font.includes('sans-serif'));
		await page.close();
	});

	test('widget: a <script> in the display name or an offer\'s name shows as text and never runs', async () => {
		const { page } = await openWidget();
		assert.equal(await text(page, 'display-name'), EVIL_NAME);
		const names = await page.locator('[data-part="offer-name"]').allTextContents();
		assert.ok(names.includes(EVIL_OFFER), names.join(' | '));
		const found = await page.evaluate(() => {
			const root = document.querySelector('[data-retain-widget]').shadowRoot;
			return { pwned: window.__pwned ?? null, scripts: root.querySelectorAll('script, img, b').length };
		});
		assert.deepEqual(found, { pwned: null, scripts: 0 });
		await page.close();
	});

	test('widget: interests chosen with their visibility are saved for the customer', async () => {
		const { page } = await openWidget();
		await page.locator('input[data-interest="green_tea"]').check();
		await page.locator('select[data-visibility="green_tea"]').selectOption('friends');
		await page.locator('button[data-part="save-interests"]').click();
		await page.locator('[data-part="interests-message"]', { hasText: 'saved' }).waitFor({ timeout: 15000 });
		const profile = await retain.api('GET', `/v1/profiles/${cfg.customer}`,
						 { key: cfg.pk, headers: { 'Customer-Token': cfg.token } });
		assert.deepEqual(profile.json.interests.map((i) => [i.interest, i.visibility]), [['green_tea', 'friends']]);
		await page.reload();
		await page.locator('[data-retain-widget][data-state="ready"]').waitFor({ timeout: 15000 });
		assert.equal(await page.locator('input[data-interest="green_tea"]').isChecked(), true);
		assert.equal(await page.locator('select[data-visibility="green_tea"]').inputValue(), 'friends');
		await page.close();
	});

	test('widget: a customer token that expired shows why, and nothing else', async () => {
		const page = await browser.newPage();
		const stale = await serveHost({ '/': { body: hostPage(retain.url, { ...cfg, token: cfg.token.replace(/\.\d+\./, '.1.') }, true) } });
		try {
			await page.goto(stale.url + '/');
			await page.locator('[data-retain-widget][data-state="error"]').waitFor({ timeout: 15000 });
			const code = await page.locator('[data-part="error"]').getAttribute('data-code');
			assert.match(code, /^customer_token_(invalid|expired)$/);
			assert.equal(await page.locator('[data-part="points-available"]').count(), 0);
		} finally {
			await page.close();
			await stale.close();
		}
	});
});

if (skip)
	test(`browser tests skipped: ${skip}`, { skip: skip }, () => {});
