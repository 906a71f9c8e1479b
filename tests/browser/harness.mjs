// harness.mjs: what the browser tests share (issue 14). A real `retain serve`
// (RETAIN_BIN, default build/retain) on a free loopback port with a fresh
// demo database and the test clock; Debian's chromium (/usr/bin/chromium,
// never a downloaded browser) driven by playwright-core; a host page server of
// the test's own on another loopback port (another origin); screenshots into
// build/screenshots/. Every server and browser a test starts is stopped in
// its `after` hook, a failed test included, and on process exit at the latest.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.RETAIN_BIN || path.join(ROOT, 'build', 'retain');
export const CHROMIUM = process.env.RETAIN_CHROMIUM || '/usr/bin/chromium';
export const OPERATOR_KEY = 'op_' + 'b'.repeat(40);
export const SCREENSHOTS = path.join(ROOT, 'build', 'screenshots');
// The flags that work on a closed network (docs: the machine's notes): no
// background connections, no component updates, no sync, no QUIC. playwright
// adds --headless and a fresh --user-data-dir of its own.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage'];

const children = new Set();
process.on('exit', () => {
	for (const c of children)
		try { c.kill('SIGKILL'); } catch { /* already gone */ }
});

export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.unref();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* A demo shop (`retain demo`) served by `retain serve --test-clock`. */
export async function startRetain({ customers = 60, seed = 7 } = {}) {
	const dir = mkdtempSync(path.join(tmpdir(), 'retain-browser-'));
	const db = path.join(dir, 'retain.db');
	const demo = spawnSync(BIN, ['demo', '--db', db, '--customers', String(customers), '--seed', String(seed)],
			       { encoding: 'utf8' });
	if (demo.status !== 0)
		throw new Error(`retain demo failed: ${demo.stderr}`);
	const keys = JSON.parse(readFileSync(db + '.demo-keys', 'utf8'));
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const log = [];
	const proc = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--test-clock'],
			   { env: { ...process.env, RETAIN_OPERATOR_KEY: OPERATOR_KEY }, stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(proc);
	proc.stdout.on('data', (d) => log.push(String(d)));
	proc.stderr.on('data', (d) => log.push(String(d)));
	const deadline = Date.now() + 20000;
	for (;;) {
		if (proc.exitCode !== null)
			throw new Error(`retain serve exited ${proc.exitCode}: ${log.join('')}`);
		try {
			if ((await fetch(url + '/livez')).status === 200)
				break;
		} catch { /* not listening yet */ }
		if (Date.now() > deadline)
			throw new Error('retain serve did not start: ' + log.join(''));
		await sleep(50);
	}
	async function api(method, p, { body, key = keys.secret_key, headers = {} } = {}) {
		const h = { ...headers };
		if (key)
			h.Authorization = 'Bearer ' + key;
		if (body !== undefined)
			h['Content-Type'] = 'application/json';
		const r = await fetch(url + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await r.text();
		let json = null;
		try { json = JSON.parse(text); } catch { /* not JSON */ }
		return { status: r.status, json, text, headers: r.headers };
	}
	async function stop() {
		if (proc.exitCode === null) {
			const done = new Promise((r) => proc.once('exit', r));
			proc.kill('SIGTERM');
			await Promise.race([done, sleep(15000)]);
			if (proc.exitCode === null)
				proc.kill('SIGKILL');
		}
		children.delete(proc);
		rmSync(dir, { recursive: true, force: true });
		return proc.exitCode;
	}
	return { url, keys, dir, api, stop, log, operator: (m, p, o = {}) => api(m, p, { ...o, key: OPERATOR_KEY }) };
}

/* Must the browser tests skip? A reason, or null. */
export function skipReason() {
	const v = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
	if (v.error || v.status !== 0)
		return `no chromium at ${CHROMIUM} (scripts/setup installs Debian's chromium)`;
	return null;
}

export async function launchBrowser() {
	const { chromium } = await import('playwright-core');
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/* A page server on its own loopback port: routes maps a path to
 * {type, body, headers}. Its origin differs from retain's (another port). */
export async function serveHost(routes) {
	const port = await freePort();
	const server = createServer((req, res) => {
		const r = routes[new URL(req.url, 'http://x').pathname];
		if (!r) {
			res.writeHead(404, { 'Content-Type': 'text/plain' });
			res.end('not found');
			return;
		}
		res.writeHead(200, { 'Content-Type': r.type || 'text/html; charset=utf-8', ...(r.headers || {}) });
		res.end(typeof r.body === 'function' ? r.body() : r.body);
	});
	await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${port}`,
		close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); })
	};
}

export function screenshotPath(name) {
	mkdirSync(SCREENSHOTS, { recursive: true });
	return path.join(SCREENSHOTS, name + '.png');
}

/* A dashboard page signed in with the shop's secret key through the sign-in
 * form; problems collects script errors, CSP refusals and any request that
 * leaves retain (the dashboard loads nothing from elsewhere). */
export async function signIn(browser, retain) {
	const context = await browser.newContext();
	const page = await context.newPage();
	const problems = [];
	page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) problems.push(m.text()); });
	page.on('pageerror', (e) => problems.push(String(e)));
	page.on('request', (q) => { if (!q.url().startsWith(retain.url)) problems.push('third-party request ' + q.url()); });
	await page.goto(retain.url + '/dashboard');
	if (!/\/dashboard\/sign-in/.test(page.url()))
		throw new Error('not sent to the sign-in page: ' + page.url());
	await page.locator('input[name="key"]').fill(retain.keys.secret_key);
	await Promise.all([page.waitForURL(/\/dashboard\/overview/),
		page.locator('form button[type="submit"], form input[type="submit"]').first().click()]);
	return { context, page, problems };
}

