// The review pages in Debian's headless Chromium, driven by playwright-core.
// Run by tests/browser/run.sh, which sets up the store and the server and
// passes what it made in the environment. Prints "ok NAME" or
// "FAIL NAME: why" per test; a screenshot of every step goes to $ARTIFACTS
// (and fail-NAME.png / fail-NAME.html where a test failed).
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = (name) => {
	const v = process.env[name];
	if (v === undefined || v === '') {
		console.log(`FAIL environment: ${name} is not set (run tests/browser/run.sh)`);
		process.exit(1);
	}
	return v;
};
const BASE = env('BASE_URL');
const ARTIFACTS = env('ARTIFACTS');
const SLOW = Number(process.env.SLOW || '1');
const ids = {
	labour: env('ID_LABOUR'),
	library: env('ID_LIBRARY'),
	xss: env('ID_XSS'),
	green: env('ID_GREEN'),
};
const ALL = [ids.labour, ids.library, ids.xss, ids.green];
const XSS_TEXT = env('XSS_TEXT');
const PERIOD_UID = env('PERIOD_UID');
const PERIOD_NAME = env('PERIOD_NAME');
const TODAY = env('TODAY');
const YESTERDAY = env('YESTERDAY');
const USERS = {
	molly: env('MOLLY_PASSWORD'),
	vera: env('VERA_PASSWORD'),
};
const NOTE = 'Checked with the returning officer: a factual notice of a library opening <b>not bold</b>';

let failures = 0;
let current = null; // the page a failing test's screenshot is taken of

class Failure extends Error {}
function assert(cond, msg) {
	if (!cond) throw new Failure(msg);
}
function eq(got, want, what) {
	assert(JSON.stringify(got) === JSON.stringify(want),
		`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}
const oneLine = (s) => String(s).replace(/\s+/g, ' ').trim().slice(0, 400);

const outcome = {}; // test name -> true (passed) or false
const started = Date.now();
const timings = [];
async function test(name, fn, needs = []) {
	const missing = needs.filter((n) => outcome[n] !== true);
	if (missing.length) {
		failures++;
		outcome[name] = false;
		console.log(`FAIL ${name}: not run: needs ${missing.join(', ')}`);
		return;
	}
	outcome[name] = false;
	const t0 = Date.now();
	try {
		await fn();
		outcome[name] = true;
		console.log(`ok ${name}`);
	} catch (e) {
		failures++;
		const why = e instanceof Failure ? e.message : `${e.name}: ${e.message}`;
		console.log(`FAIL ${name}: ${oneLine(why)}`);
		if (current && !current.isClosed()) {
			try {
				await current.screenshot({ path: join(ARTIFACTS, `fail-${name}.png`), fullPage: true });
				writeFileSync(join(ARTIFACTS, `fail-${name}.html`), await current.content());
			} catch {
				/* the page is gone: nothing to save */
			}
		}
	}
	timings.push(`${name} ${Date.now() - t0}`);
}

async function shot(page, file) {
	await page.screenshot({ path: join(ARTIFACTS, file), fullPage: true });
}

// Navigate by an action (a click, Enter) and return the final response,
// after any redirects.
async function navigates(page, action) {
	const [resp] = await Promise.all([page.waitForNavigation(), action()]);
	return resp;
}

// The ids of the rows of table#queue, in page order.
async function rows(page) {
	return page.locator('table#queue tr[data-id]').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
}
const sorted = (a) => [...a].sort((x, y) => Number(x) - Number(y));

// Fill the filter form (every control set: '' for any) and submit it.
async function filter(page, f) {
	const form = page.locator('form#filters');
	await form.locator('select[name="status"]').selectOption(f.status ?? 'pending');
	await form.locator('select[name="class"]').selectOption(f.cls ?? '');
	await form.locator('select[name="period"]').selectOption(f.period ?? '');
	await form.locator('input[name="from"]').fill(f.from ?? '');
	await form.locator('input[name="to"]').fill(f.to ?? '');
	await form.locator('input[name="q"]').fill(f.q ?? '');
	const resp = await navigates(page, () => form.getByRole('button', { name: 'Filter' }).click());
	eq(resp.status(), 200, 'status of the filtered queue');
	return rows(page);
}

// launch() starts Chromium with a new, empty --user-data-dir of its own (and
// removes it at close).
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	timeout: 60000 * SLOW,
	args: [
		'--no-sandbox',
		'--disable-gpu',
		'--disable-quic',
		'--no-first-run',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--disable-dev-shm-usage',
	],
});
// Every page is watched: a dialog (alert(), confirm()) means script ran.
const dialogs = [];
const consoleErrors = [];
async function newContext(viewport) {
	const ctx = await browser.newContext({ viewport: viewport ?? { width: 1280, height: 900 }, javaScriptEnabled: true });
	ctx.setDefaultTimeout(5000 * SLOW);
	ctx.setDefaultNavigationTimeout(10000 * SLOW);
	ctx.on('page', (p) => watch(p));
	return ctx;
}
function watch(p) {
	p.on('dialog', async (d) => {
		dialogs.push(`${d.type()}: ${d.message()} on ${p.url()}`);
		await d.dismiss().catch(() => {});
	});
	p.on('pageerror', (e) => consoleErrors.push(`${p.url()}: ${e.message}`));
}

try {
	const molly = await newContext();
	const page = await molly.newPage();
	current = page;

	await test('login-page-labelled', async () => {
		const resp = await page.goto(`${BASE}/review`);
		assert(new URL(page.url()).pathname === '/review/login',
			`GET /review without a session ends at ${page.url()}, want /review/login`);
		eq(resp.status(), 200, 'status of the login page');
		const form = page.locator('form#login');
		eq(await form.count(), 1, 'form#login count');
		eq(await form.getAttribute('method'), 'post', 'form#login method');
		eq(await form.getAttribute('action'), '/review/login', 'form#login action');
		const user = form.getByLabel('User name', { exact: true });
		eq(await user.getAttribute('id'), 'user', 'the input labelled "User name"');
		eq(await user.getAttribute('name'), 'user', 'its name');
		const pw = form.getByLabel('Password', { exact: true });
		eq(await pw.getAttribute('id'), 'password', 'the input labelled "Password"');
		eq(await pw.getAttribute('type'), 'password', 'its type');
		const csrf = await form.locator('input[type="hidden"][name="csrf"]').inputValue();
		assert(csrf.length >= 16, `hidden csrf is ${JSON.stringify(csrf)}`);
		const cookies = await molly.cookies();
		const c = cookies.find((k) => k.name === 'purdah_login');
		assert(c, 'no purdah_login cookie set by GET /review/login');
		eq(c.value, csrf, 'purdah_login cookie (double-submit) vs the form csrf');
		await form.getByRole('button', { name: 'Log in' }).waitFor();
		eq(await page.locator('header').count() >= 1, true, 'a <header>');
		assert((await page.locator('header').first().innerText()).includes('Northbridge Borough Council'),
			'the header names the council');
		await shot(page, 'login.png');
	});

	await test('login-wrong-password', async () => {
		await page.getByLabel('User name', { exact: true }).fill('molly');
		await page.getByLabel('Password', { exact: true }).fill('not the password');
		const resp = await navigates(page, () => page.getByRole('button', { name: 'Log in' }).click());
		eq(resp.status(), 401, 'status of a wrong password');
		const alert = page.getByRole('alert');
		eq((await alert.innerText()).trim(), 'Wrong user name or password.', 'the role=alert text');
		eq(await alert.evaluate((e) => e.tagName + '.' + e.className), 'P.error', 'the alert element');
		eq(await page.locator('form#login').count(), 1, 'the form shown again');
		assert(!(await molly.cookies()).some((k) => k.name === 'purdah_session'), 'a session cookie after a wrong password');
		await shot(page, 'login-error.png');
	});

	await test('login-succeeds', async () => {
		await page.getByLabel('User name', { exact: true }).fill('molly');
		await page.getByLabel('Password', { exact: true }).fill(USERS.molly);
		const resp = await navigates(page, () => page.getByRole('button', { name: 'Log in' }).click());
		eq(new URL(page.url()).pathname, '/review', 'page after login');
		eq(resp.status(), 200, 'status of the queue');
		const c = (await molly.cookies()).find((k) => k.name === 'purdah_session');
		assert(c, 'no purdah_session cookie');
		assert(c.httpOnly, 'purdah_session is not HttpOnly');
		eq(c.sameSite, 'Strict', 'purdah_session SameSite');
		eq(c.path, '/review', 'purdah_session Path');
		assert(/^[0-9A-Za-z_-]{43,}$/.test(c.value), `session token ${c.value.length} chars: not 256 random bits?`);
		const header = await page.locator('header').first().innerText();
		assert(header.includes('molly'), `the header does not name the user: ${oneLine(header)}`);
		await page.locator('header').getByRole('button', { name: 'Log out' }).waitFor();
	});

	await test('security-headers', async () => {
		const resp = await page.goto(`${BASE}/review`);
		const h = resp.headers();
		eq(h['content-security-policy'],
			"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
			'Content-Security-Policy');
		eq(h['x-content-type-options'], 'nosniff', 'X-Content-Type-Options');
		eq(h['referrer-policy'], 'no-referrer', 'Referrer-Policy');
		eq(h['x-frame-options'], 'DENY', 'X-Frame-Options');
		assert(/no-store/.test(h['cache-control'] || ''), `Cache-Control ${h['cache-control']}`);
		const css = await page.request.get(`${BASE}/review/style.css`);
		eq(css.status(), 200, 'GET /review/style.css');
		assert(/text\/css/.test(css.headers()['content-type'] || ''), 'style.css Content-Type');
		const sheets = await page.evaluate(() => [...document.styleSheets].map((s) => s.href));
		assert(sheets.some((h) => h && h.endsWith('/review/style.css')), `the page's stylesheets: ${sheets}`);
	}, ['login-succeeds']);

	await test('queue-lists-items', async () => {
		eq(sorted(await rows(page)), sorted(ALL), 'rows of the default queue (pending)');
		for (const id of ALL) {
			const tr = page.locator(`table#queue tr[data-id="${id}"]`);
			eq(await tr.locator(`a[href="/review/items/${id}"]`).innerText(), `#${id}`, `item ${id}'s link`);
			const box = tr.locator('input[type="checkbox"][name="id"]');
			eq(await box.getAttribute('value'), id, `item ${id}'s checkbox value`);
			eq(await box.getAttribute('form'), 'bulk', `item ${id}'s checkbox form`);
			eq(await box.getAttribute('aria-label'), `Select item ${id}`, `item ${id}'s checkbox label`);
			assert((await tr.innerText()).includes('pending'), `item ${id}'s row has no status pending`);
		}
		const lib = await page.locator(`table#queue tr[data-id="${ids.library}"]`).innerText();
		for (const want of ['Cllr Mark Green', '@northbridge-libraries', 'council-post', 'hold'])
			assert(lib.includes(want), `the library row lacks ${want}: ${oneLine(lib)}`);
		eq(await page.locator('table#queue tr').first().locator('th').count() > 0, true, 'a header row');
		const banner = await page.locator('section#banner').innerText();
		assert(banner.includes(PERIOD_NAME), `the banner does not name the period: ${oneLine(banner)}`);
		assert(/Castle/.test(banner), `the banner does not name the area: ${oneLine(banner)}`);
		assert(/\d+ days? left/.test(banner), `the banner gives no days left: ${oneLine(banner)}`);
		const nav = page.locator('header nav');
		for (const [name, href] of [['Queue', '/review'], ['Audit', '/review/audit'], ['Export CSV', '/review/export.csv']])
			eq(await nav.getByRole('link', { name, exact: true }).getAttribute('href'), href, `the nav link ${name}`);
		eq(await nav.getByRole('link', { name: 'Freeze' }).count(), 0, 'a Freeze link for monitoring');
		const bulk = page.locator('form#bulk');
		eq(await bulk.getAttribute('action'), '/review/bulk', 'form#bulk action');
		await bulk.getByLabel('Note').waitFor();
		await bulk.getByRole('button', { name: 'Approve selected' }).waitFor();
		await bulk.getByRole('button', { name: 'Reject selected' }).waitFor();
		await shot(page, 'queue.png');
	}, ['login-succeeds']);

	await test('xss-inert', async () => {
		const tr = page.locator(`table#queue tr[data-id="${ids.xss}"]`);
		const text = await tr.innerText();
		assert(text.includes('<script>alert(1)</script>'), `the row does not show the script tag as text: ${oneLine(text)}`);
		eq(await page.locator('script').count(), 0, '<script> elements on the queue page');
		eq(await page.locator('img[onerror], [onerror]').count(), 0, 'elements with onerror');
		await page.goto(`${BASE}/review/items/${ids.xss}`);
		const body = await page.locator('div#text').innerText();
		eq(body.trim(), XSS_TEXT, 'div#text of the XSS item (all of it, as text)');
		eq(await page.locator('script, [onerror]').count(), 0, 'script or onerror elements on the item page');
		eq(dialogs, [], 'dialogs');
		await shot(page, 'item-xss.png');
		await page.goto(`${BASE}/review`);
	}, ['login-succeeds']);

	await test('filter-class', async () => {
		await page.goto(`${BASE}/review`);
		const periodOption = page.locator(`form#filters select[name="period"] option[value="${PERIOD_UID}"]`);
		// Labelled by the period's name (a date after it may tell apart two of one name).
		const label = (await periodOption.innerText()).trim();
		assert(label.startsWith(PERIOD_NAME), `the period option label: ${label}`);
		const classes = await page.locator('form#filters select[name="class"] option').evaluateAll((os) => os.map((o) => o.value));
		eq(sorted(classes), sorted(['', 'council-post', 'third-party', 'councillor-feed', 'forum', 'emergency']), 'class options');
		const st = await page.locator('form#filters select[name="status"] option').evaluateAll((os) => os.map((o) => o.value));
		eq(st, ['', 'pending', 'approved', 'rejected', 'expired', 'withdrawn'], 'status options');
		eq(await page.locator('form#filters select[name="status"]').inputValue(), 'pending', 'default status');
		eq(await page.locator('form#filters').getAttribute('method'), 'get', 'form#filters method');
		eq(await page.locator('form#filters').getAttribute('action'), '/review', 'form#filters action');
		// Every control has a label.
		const unlabelled = await page.locator('form#filters select, form#filters input:not([type="hidden"])').evaluateAll((els) =>
			els.filter((e) => !e.labels || e.labels.length === 0 || !e.labels[0].innerText.trim()).map((e) => e.name));
		eq(unlabelled, [], 'filter controls without a label');
		for (const name of ['status', 'class', 'period', 'from', 'to', 'q'])
			eq(await page.locator(`form#filters [name="${name}"]`).count(), 1, `filter control ${name}`);
		eq(await filter(page, { cls: 'third-party' }), [ids.xss], 'rows for class third-party');
		assert(new URL(page.url()).searchParams.get('class') === 'third-party', `URL ${page.url()}`);
		eq(await page.locator('form#filters select[name="class"]').inputValue(), 'third-party', 'the class kept in the form');
		eq(sorted(await filter(page, { cls: 'council-post' })), sorted([ids.labour, ids.library, ids.green]), 'rows for class council-post');
	}, ['login-succeeds']);

	await test('filter-search', async () => {
		await page.goto(`${BASE}/review`);
		eq(await filter(page, { q: 'library' }), [ids.library], 'rows for q=library');
		eq(await page.locator('form#filters input[name="q"]').inputValue(), 'library', 'q kept in the form');
		eq(await page.locator('form#filters input[name="q"]').getAttribute('type'), 'search', 'q type');
		await shot(page, 'queue-filtered.png');
		eq(sorted(await filter(page, { q: 'Vote' })), sorted([ids.labour, ids.xss, ids.green]), 'rows for q=Vote');
		eq(await filter(page, { q: "'; DROP TABLE items; --" }), [], 'rows for an SQL-ish search');
		eq((await page.locator('p#empty').innerText()).trim(), 'No items match.', 'p#empty');
	}, ['login-succeeds']);

	await test('filter-period', async () => {
		await page.goto(`${BASE}/review`);
		eq(await filter(page, { period: PERIOD_UID }), [ids.library], `rows for period ${PERIOD_UID}`);
	}, ['login-succeeds']);

	await test('filter-dates', async () => {
		await page.goto(`${BASE}/review`);
		eq(await page.locator('form#filters input[name="from"]').getAttribute('type'), 'date', 'from type');
		eq(await page.locator('form#filters input[name="to"]').getAttribute('type'), 'date', 'to type');
		eq(sorted(await filter(page, { from: TODAY, to: TODAY })), sorted(ALL), `rows created ${TODAY}`);
		eq(await filter(page, { to: YESTERDAY }), [], `rows created up to ${YESTERDAY}`);
		await page.locator('p#empty').waitFor();
	}, ['login-succeeds']);

	await test('filter-status', async () => {
		await page.goto(`${BASE}/review`);
		eq(await filter(page, { status: 'approved' }), [], 'approved rows before any approval');
		eq(sorted(await filter(page, { status: '' })), sorted(ALL), 'rows of any status');
	}, ['login-succeeds']);

	await test('item-page', async () => {
		await filter(page, {});
		const resp = await navigates(page, () => page.locator(`table#queue tr[data-id="${ids.library}"] a[href="/review/items/${ids.library}"]`).click());
		eq(resp.status(), 200, 'status of the item page');
		eq(new URL(page.url()).pathname, `/review/items/${ids.library}`, 'item page URL');
		eq((await page.locator('h1').innerText()).trim(), `Item #${ids.library}`, 'h1');
		eq((await page.locator('p#status').innerText()).trim(), 'pending', 'p#status');
		const marks = await page.locator('div#text mark').allInnerTexts();
		assert(marks.includes('Cllr Mark Green'), `div#text marks: ${JSON.stringify(marks)}`);
		const text = await page.locator('div#text').innerText();
		assert(text.includes('opens the new library on Castle Street'), `div#text: ${oneLine(text)}`);
		assert((await page.locator('ul#reasons li').count()) >= 1, 'no reasons listed');
		const reasons = await page.locator('ul#reasons').innerText();
		assert(reasons.includes('Mark Green'), `ul#reasons: ${oneLine(reasons)}`);
		const main = await page.locator('body').innerText();
		for (const want of [PERIOD_NAME, '@northbridge-libraries', 'council-post', 'Castle'])
			assert(main.includes(want), `the item page does not show ${want}`);
		const history = await page.locator('table#history').innerText();
		assert(/record/.test(history), `table#history has no record entry: ${oneLine(history)}`);
		const form = page.locator('form#decide');
		eq(await form.getAttribute('action'), `/review/items/${ids.library}/decide`, 'form#decide action');
		assert((await form.locator('input[type="hidden"][name="csrf"]').inputValue()).length >= 16, 'form#decide csrf');
		await form.getByLabel('Note').waitFor();
		await shot(page, 'item.png');
	}, ['login-succeeds']);

	await test('reject-needs-note', async () => {
		const form = page.locator('form#decide');
		await form.getByLabel('Note').fill('');
		const resp = await navigates(page, () => form.getByRole('button', { name: 'Reject', exact: true }).click());
		eq(resp.status(), 400, 'status of a reject without a note');
		await page.goto(`${BASE}/review/items/${ids.library}`);
		eq((await page.locator('p#status').innerText()).trim(), 'pending', 'p#status after the refused reject');
	}, ['item-page']);

	await test('approve-with-note', async () => {
		const form = page.locator('form#decide');
		await form.getByLabel('Note').fill(NOTE);
		const resp = await navigates(page, () => form.getByRole('button', { name: 'Approve', exact: true }).click());
		eq(new URL(page.url()).pathname, `/review/items/${ids.library}`, 'page after approving');
		eq(resp.status(), 200, 'status after the redirect');
		eq((await page.locator('p#status').innerText()).trim(), 'approved', 'p#status');
		eq(await page.locator('form#decide').count(), 0, 'form#decide on an approved item');
		await shot(page, 'item-approved.png');
	}, ['item-page']);

	await test('history-shows-approval', async () => {
		const trs = page.locator('table#history tr');
		const texts = await trs.allInnerTexts();
		const row = texts.find((t) => /\bapprove\b/.test(t));
		assert(row, `no approve row in table#history: ${oneLine(texts.join(' | '))}`);
		assert(row.includes('molly'), `the approve row does not name molly: ${oneLine(row)}`);
		assert(row.includes(NOTE), `the approve row does not show the note as text: ${oneLine(row)}`);
		eq(await page.locator('table#history b').count(), 0, 'markup from the note');
	}, ['approve-with-note']);

	await test('queue-after-approval', async () => {
		await page.goto(`${BASE}/review`);
		eq(sorted(await rows(page)), sorted([ids.labour, ids.xss, ids.green]), 'pending rows after the approval');
		eq(await filter(page, { status: 'approved' }), [ids.library], 'approved rows');
		assert((await page.locator(`tr[data-id="${ids.library}"]`).innerText()).includes('approved'), 'the row says approved');
	}, ['approve-with-note']);

	await test('audit-view', async () => {
		const resp = await navigates(page, () => page.locator('header nav').getByRole('link', { name: 'Audit', exact: true }).click());
		eq(resp.status(), 200, 'status of the audit view');
		eq(new URL(page.url()).pathname, '/review/audit', 'audit URL');
		const chain = (await page.locator('p#chain').innerText()).trim();
		assert(/^Audit chain intact: \d+ entries, head [0-9a-f]{64}$/.test(chain), `p#chain: ${chain}`);
		const n = Number(/(\d+) entries/.exec(chain)[1]);
		// user-add x2, record x4, login-failed, login, approve at least
		assert(n >= 9, `only ${n} entries in the chain`);
		const trs = page.locator('table#audit tr');
		const texts = await trs.allInnerTexts();
		const approve = texts.find((t) => /\bapprove\b/.test(t) && t.includes('molly'));
		assert(approve, `no approve entry by molly in table#audit: ${oneLine(texts.slice(0, 8).join(' | '))}`);
		const idx = texts.indexOf(approve);
		eq(await trs.nth(idx).locator(`a[href="/review/items/${ids.library}"]`).count(), 1, 'the approve entry links the item');
		for (const action of ['record', 'login', 'login-failed', 'user-add'])
			assert(texts.some((t) => new RegExp(`(^|\\s)${action}(\\s|$)`).test(t)), `no ${action} entry in table#audit`);
		// Newest first: the first cell of each row is its sequence number.
		const seqs = await page.locator('table#audit tr').evaluateAll((trs) =>
			trs.map((tr) => tr.cells[0] && tr.cells[0].tagName === 'TD' ? Number(tr.cells[0].innerText.trim()) : null).filter((x) => x !== null));
		assert(seqs.length >= 9 && seqs.every((s, i) => i === 0 || s < seqs[i - 1]), `seq column not newest first: ${seqs}`);
		await shot(page, 'audit.png');
	}, ['login-succeeds']);

	await test('phone-width', async () => {
		const phone = await newContext({ width: 375, height: 812 });
		await phone.addCookies((await molly.cookies()).filter((c) => c.name === 'purdah_session'));
		const p = await phone.newPage();
		current = p;
		await p.goto(`${BASE}/review?status=`);
		eq(sorted(await rows(p)), sorted(ALL), 'rows on a phone');
		// The header, banner and filter form fit the width (a wide table may scroll).
		for (const sel of ['header', 'section#banner', 'form#filters']) {
			const box = await p.locator(sel).first().boundingBox();
			assert(box && box.x >= 0 && box.x + box.width <= 376, `${sel} is ${box && Math.round(box.x + box.width)}px wide on a 375px screen`);
		}
		await shot(p, 'queue-phone.png');
		await p.goto(`${BASE}/review/items/${ids.labour}`);
		await shot(p, 'item-phone.png');
		await phone.close();
		current = page;
	}, ['login-succeeds']);

	await test('keyboard-login', async () => {
		const vera = await newContext();
		const p = await vera.newPage();
		current = p;
		await p.goto(`${BASE}/review/login`);
		let focus = '';
		for (let i = 0; i < 30 && focus !== 'user'; i++) {
			await p.keyboard.press('Tab');
			focus = await p.evaluate(() => document.activeElement && document.activeElement.id);
		}
		eq(focus, 'user', 'Tab reaches the user name field');
		await p.keyboard.type('vera');
		await p.keyboard.press('Tab');
		eq(await p.evaluate(() => document.activeElement.id), 'password', 'the next Tab stop');
		await p.keyboard.type(USERS.vera);
		// The focused field shows where the keyboard is.
		const outline = await p.evaluate(() => {
			const s = getComputedStyle(document.activeElement);
			return `${s.outlineStyle} ${s.outlineWidth} ${s.boxShadow}`;
		});
		assert(!/^none 0px none$/.test(outline), `no visible focus on the password field: ${outline}`);
		await navigates(p, () => p.keyboard.press('Enter'));
		eq(new URL(p.url()).pathname, '/review', 'page after a keyboard login');
		assert((await p.locator('header').first().innerText()).includes('vera'), 'the header names vera');
		await shot(p, 'keyboard-login.png');
		current = page;
		globalThis.veraPage = p;
	});

	await test('viewer-cannot-decide', async () => {
		const p = globalThis.veraPage;
		assert(p, 'vera is not logged in');
		current = p;
		eq(sorted(await rows(p)), sorted([ids.labour, ids.xss, ids.green]), 'rows for vera');
		eq(await p.locator('table#queue input[type="checkbox"]').count(), 0, 'checkboxes for a viewer');
		eq(await p.locator('form#bulk').count(), 0, 'form#bulk for a viewer');
		await p.goto(`${BASE}/review/items/${ids.green}`);
		eq((await p.locator('p#status').innerText()).trim(), 'pending', 'p#status');
		eq(await p.locator('form#decide').count(), 0, 'form#decide for a viewer');
		await shot(p, 'item-viewer.png');
		// Even with the session's own csrf token, a viewer's POST is refused.
		const csrf = await p.locator('form input[name="csrf"]').first().inputValue();
		const resp = await p.request.post(`${BASE}/review/items/${ids.green}/decide`, {
			form: { csrf, action: 'approve', note: 'a viewer tries' },
			headers: { Origin: BASE, Referer: `${BASE}/review/items/${ids.green}` },
			maxRedirects: 0,
		});
		eq(resp.status(), 403, 'status of a viewer approving');
		await p.reload();
		eq((await p.locator('p#status').innerText()).trim(), 'pending', 'p#status after the refused approval');
		current = page;
	}, ['keyboard-login', 'approve-with-note']);

	await test('csrf-required', async () => {
		// molly's session, a POST without the form's token.
		const resp = await page.request.post(`${BASE}/review/items/${ids.green}/decide`, {
			form: { action: 'approve', note: 'no token' },
			maxRedirects: 0,
		});
		eq(resp.status(), 403, 'status of a POST without csrf');
		const resp2 = await page.request.post(`${BASE}/review/items/${ids.green}/decide`, {
			form: { csrf: 'x'.repeat(43), action: 'approve', note: 'wrong token' },
			maxRedirects: 0,
		});
		eq(resp2.status(), 403, 'status of a POST with a wrong csrf');
		await page.goto(`${BASE}/review/items/${ids.green}`);
		eq((await page.locator('p#status').innerText()).trim(), 'pending', 'p#status after the refused POSTs');
	}, ['login-succeeds']);

	await test('logout', async () => {
		await page.goto(`${BASE}/review`);
		const mollySession = (await molly.cookies()).find((c) => c.name === 'purdah_session');
		assert(mollySession, 'molly has no session');
		const resp = await navigates(page, () => page.locator('header').getByRole('button', { name: 'Log out' }).click());
		eq(resp.status(), 200, 'status after logging out');
		eq(new URL(page.url()).pathname, '/review/login', 'page after logging out');
		await page.goto(`${BASE}/review`);
		eq(new URL(page.url()).pathname, '/review/login', '/review after logging out');
		// The old token no longer works either.
		const fresh = await newContext();
		await fresh.addCookies([mollySession]);
		const p = await fresh.newPage();
		await p.goto(`${BASE}/review`);
		eq(new URL(p.url()).pathname, '/review/login', "/review with molly's token after logging out");
		await fresh.close();
		const vera = globalThis.veraPage;
		assert(vera, 'vera is not logged in');
		await vera.goto(`${BASE}/review`);
		await navigates(vera, () => vera.locator('header').getByRole('button', { name: 'Log out' }).click());
		eq(new URL(vera.url()).pathname, '/review/login', "vera's page after logging out");
		await shot(page, 'logout.png');
	}, ['login-succeeds', 'keyboard-login']);

	await test('no-dialog', async () => {
		eq(dialogs, [], 'dialogs opened by any page');
		eq(consoleErrors, [], 'script errors on any page');
	});
} catch (e) {
	failures++;
	console.log(`FAIL review.mjs: ${oneLine(e.stack || e)}`);
} finally {
	await browser.close().catch(() => {});
	// run.sh shows lines that are not test results with a leading '#'.
	console.log(`${Object.keys(outcome).length} browser tests in ${Date.now() - started} ms (ms each: ${timings.join(', ')})`);
}
process.exit(failures ? 1 : 0);
