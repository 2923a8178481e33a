// report.test.mjs — opens claimcheck's HTML report in headless Chromium and
// checks what a reviewer sees: cue highlights by category, the filters, the
// search, paging, the document view, and that article text stays text.
//
//   node report.test.mjs --report SMALL.html [--big BIG.html --big-claims N] --out DIR
//
// SMALL.html is the report of tests/fixtures/report-html (made by
// tests/cli/report-html.sh); BIG.html one of N claims, for load and paging
// times. Screenshots and the browser profile go to DIR (in the build tree).
// Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM); playwright-core
// only drives it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

// playwright-core from this folder's node_modules (`npm ci` here), or from
// $CC_NODE_MODULES (for a copy of the tests without node_modules: distcheck)
const require = createRequire(import.meta.url);
const { chromium } = process.env.CC_NODE_MODULES
	? require(path.join(path.resolve(process.env.CC_NODE_MODULES), 'playwright-core'))
	: require('playwright-core');

function arg(name, def) {
	const i = process.argv.indexOf('--' + name);
	return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const REPORT = arg('report');
const BIG = arg('big');
const BIG_CLAIMS = Number(arg('big-claims', '0'));
const OUT = path.resolve(arg('out', '.'));
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
if (!REPORT) {
	console.error('usage: node report.test.mjs --report FILE.html [--big FILE.html --big-claims N] --out DIR');
	process.exit(2);
}
// Generous for a loaded 2-core CI machine; the output prints the real times.
const LOAD_LIMIT_MS = Number(process.env.CC_LOAD_LIMIT_MS || 10000);
const STEP_LIMIT_MS = Number(process.env.CC_STEP_LIMIT_MS || 3000);

let context;
const profile = path.join(OUT, 'chromium-profile');

before(async () => {
	fs.mkdirSync(OUT, { recursive: true });
	fs.rmSync(profile, { recursive: true, force: true });
	context = await chromium.launchPersistentContext(profile, {
		executablePath: EXE,
		headless: true,
		viewport: { width: 1280, height: 900 },
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
});

after(async () => {
	if (context) await context.close();
	fs.rmSync(profile, { recursive: true, force: true });
});

// A page with every dialog, page error, console error and non-file request
// recorded: the report must cause none of them.
async function open(file, hash = '') {
	const page = await context.newPage();
	const seen = { dialogs: [], errors: [], requests: [] };
	page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
	page.on('pageerror', (e) => seen.errors.push(e.message));
	page.on('console', (m) => { if (m.type() === 'error') seen.errors.push(m.text()); });
	page.on('request', (r) => { if (!/^(file|data|about):/.test(r.url())) seen.requests.push(r.url()); });
	const t0 = Date.now();
	await page.goto(pathToFileURL(file).href + hash);
	await page.waitForSelector('body[data-ready]', { timeout: 60000 });
	seen.loadMs = Date.now() - t0;
	return { page, seen };
}

const rows = (page) => page.locator('#claims-list article.claim');
const claim = (page, text) => rows(page).filter({ hasText: text });

async function setRange(page, sel, value) {
	await page.$eval(sel, (e, v) => { e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); }, String(value));
}
async function settle(page) {
	await page.waitForTimeout(350); // the inputs are debounced
}
async function shot(page, name) {
	const file = path.join(OUT, name);
	await page.screenshot({ path: file });
	console.log('# screenshot: ' + file);
}

test('small report: highlights, filters, search, document view, escaping', async (t) => {
	const { page, seen } = await open(REPORT);

	await t.test('every claim is listed, most check-worthy first', async () => {
		assert.equal(await rows(page).count(), 6);
		assert.match(await page.locator('#count').textContent(), /Showing 1–6 of 6 claims/);
		const ranks = await rows(page).evaluateAll((els) => els.map((e) => Number(e.dataset.rank)));
		assert.deepEqual(ranks, [1, 2, 3, 4, 5, 6]);
		const scores = await rows(page).evaluateAll((els) => els.map((e) => Number(e.dataset.score)));
		assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
		assert.match(await rows(page).first().textContent(), /Tolls rose 14%/);
	});

	await t.test('cue spans are highlighted with their category', async () => {
		const c = claim(page, 'The council');
		assert.deepEqual(await c.locator('mark.cue.cat-hedge').allTextContents(), ['may']);
		assert.deepEqual(await c.locator('mark.cue.cat-source').allTextContents(), ['according to']);
		assert.deepEqual(await c.locator('mark.cue.cat-name').allTextContents(), ['Lena Ortiz']);
		// UTF-16 offsets: an astral character and accents before the cues
		const r = claim(page, 'launch');
		assert.deepEqual(await r.locator('mark.cue.cat-speculation').allTextContents(), ['could']);
		assert.deepEqual(await r.locator('mark.cue.cat-source').allTextContents(), ['said']);
		assert.equal(await r.locator('.sentence').textContent(), 'The 🚀 launch could slip to the spring, officials said.');
		const w = claim(page, 'Critics');
		assert.deepEqual(await w.locator('mark.cue.cat-weasel').allTextContents(), ['Critics argue']);
		const f = claim(page, 'Ferry fares');
		assert.deepEqual(await f.locator('mark.cue.cat-speculation').allTextContents(), ['likely to']);
		assert.deepEqual(await f.locator('mark.cue.cat-name').allTextContents(), ['Dana Whitfield']);
		// no cue: flagged for its figures alone
		const n = claim(page, 'Tolls rose');
		assert.equal(await n.locator('mark').count(), 0);
		assert.equal(await n.locator('.chip.cat-none').count(), 1);
	});

	await t.test('rules and sources are shown', async () => {
		const f = claim(page, 'Ferry fares');
		assert.deepEqual(await f.locator('code.rule').allTextContents(), ['speculation.likely-to', 'source.per']);
		const src = f.locator('li.source');
		assert.equal(await src.count(), 1);
		assert.match(await src.textContent(), /Dana Whitfield \(analyst\), cue “per”named/);
		const o = claim(page, 'launch').locator('li.source').first();
		assert.match(await o.textContent(), /officials.*anonymous/);
		assert.match(await claim(page, 'Ferry fares').locator('a.doclink').textContent(), /wire\.jsonl#<img src=x onerror=alert\(3\)> · sentence 2/);
	});

	await t.test('article text is rendered as text, never as markup', async () => {
		assert.deepEqual(seen.dialogs, []);
		const c = claim(page, 'The council');
		assert.equal(await c.locator('.sentence').textContent(),
			'The council may close the <b>bold</b> north dock next year, according to Lena Ortiz.');
		assert.equal(await c.locator('.sentence b').count(), 0);
		const op = claim(page, 'The operator');
		assert.match(await op.locator('.sentence').textContent(), /<\/script><script>alert\(5\)<\/script>/);
		// the page's own markup only: no element came from the data
		assert.equal(await page.locator('b, i, img, iframe, object, embed').count(), 0);
		assert.equal(await page.locator('script:not([type="application/json"])').count(), 1);
		// the literal tags are visible text
		assert.ok(await page.evaluate(() => document.body.innerText.includes('</script><script>alert(5)</script>')));
		assert.ok(await page.evaluate(() => document.body.innerText.includes('the <b>bold</b> north dock')));
	});

	await t.test('category filter hides and shows claims', async () => {
		await page.uncheck('#cat-filter input[value=hedge]');
		// "reportedly" has only a hedge cue; "may … according to" keeps its source cue
		assert.equal(await rows(page).count(), 5);
		assert.equal(await claim(page, 'The operator').count(), 0);
		assert.equal(await claim(page, 'The council').count(), 1);
		for (const c of ['speculation', 'weasel', 'source']) await page.uncheck(`#cat-filter input[value=${c}]`);
		assert.equal(await rows(page).count(), 1);
		assert.match(await rows(page).first().textContent(), /Tolls rose/);
		await page.uncheck('#cat-filter input[value=none]');
		assert.equal(await rows(page).count(), 0);
		assert.match(await page.locator('#claims-list .empty').textContent(), /No claim matches/);
		await page.check('#cat-filter input[value=weasel]');
		assert.equal(await rows(page).count(), 1);
		assert.match(await rows(page).first().textContent(), /Critics argue/);
		for (const c of ['hedge', 'speculation', 'source', 'none']) await page.check(`#cat-filter input[value=${c}]`);
		assert.equal(await rows(page).count(), 6);
	});

	await t.test('score filter', async () => {
		await setRange(page, '#min-score', 0.5);
		await settle(page);
		assert.equal(await page.locator('#min-score-value').textContent(), '0.50');
		const scores = await rows(page).evaluateAll((els) => els.map((e) => Number(e.dataset.score)));
		assert.equal(scores.length, 3);
		assert.ok(scores.every((s) => s >= 0.5), String(scores));
		await setRange(page, '#min-score', 0);
		await settle(page);
		assert.equal(await rows(page).count(), 6);
	});

	await t.test('search and the document filter', async () => {
		await page.fill('#search', 'dana WHITFIELD');
		await settle(page);
		assert.equal(await rows(page).count(), 1);
		assert.match(await rows(page).first().textContent(), /Ferry fares/);
		await page.fill('#search', 'café');
		await settle(page);
		assert.equal(await rows(page).count(), 1);
		await page.fill('#search', 'hedge.may-might');
		await settle(page);
		assert.equal(await rows(page).count(), 1);
		await page.fill('#search', 'no such words anywhere');
		await settle(page);
		assert.equal(await rows(page).count(), 0);
		await page.fill('#search', '');
		await settle(page);
		const wire = await page.$eval('#doc-filter', (s) => [...s.options].find((o) => o.textContent.includes('wire.jsonl')).value);
		await page.selectOption('#doc-filter', wire);
		assert.equal(await rows(page).count(), 2);
		await page.click('#reset');
		assert.equal(await rows(page).count(), 6);
	});

	await shot(page, 'report-claims.png');

	await t.test('the document view shows the full text with the flags in context', async () => {
		await claim(page, 'The council').locator('a.doclink').click();
		await page.waitForSelector('#view-doc:not([hidden]) #doc-text .flag');
		assert.match(page.url(), /#doc\/\d+\/2$/);
		assert.equal(await page.locator('#doc-head h2').textContent(), 'Harbour <script>alert(1)</script> plans');
		const text = await page.locator('#doc-text').textContent();
		for (const s of ['Harbour <script>alert(1)</script> plans', 'The quay is 300 metres long.', 'Birds sing in the park.',
			'The council may close the <b>bold</b> north dock next year, according to Lena Ortiz.'])
			assert.ok(text.includes(s), s);
		const island = await page.$eval('#doc-text', () => {
			const id = location.hash.split('/')[1];
			return JSON.parse(document.getElementById('cc-doc-' + id).textContent).text;
		});
		assert.equal(text, island);
		assert.equal(await page.locator('#doc-text .flag').count(), 4);
		assert.equal(await page.locator('#doc-text .flag.current').textContent(),
			'The council may close the <b>bold</b> north dock next year, according to Lena Ortiz.');
		assert.deepEqual(await page.locator('#doc-text mark.cat-hedge').allTextContents(), ['may']);
		assert.deepEqual(await page.locator('#doc-text mark.cat-weasel').allTextContents(), ['Critics argue']);
		assert.deepEqual(await page.locator('#doc-text mark.cat-speculation').allTextContents(), ['could']);
		assert.equal(await page.locator('#doc-text b').count(), 0);
		await page.click('#flag-next');
		assert.match(await page.locator('#doc-text .flag.current').textContent(), /launch could slip/);
		await shot(page, 'report-document.png');
	});

	await t.test('a javascript: URL in the data is not a link', async () => {
		await page.goto(pathToFileURL(REPORT).href + '#claims');
		await page.waitForSelector('body[data-ready]');
		await claim(page, 'Ferry fares').locator('a.doclink').click();
		await page.waitForSelector('#view-doc:not([hidden]) #doc-text .flag');
		assert.equal(await page.locator('#doc-head h2').textContent(), 'Wire <i>italic</i> brief');
		assert.equal(await page.locator('a[href^="javascript"]').count(), 0);
		assert.match(await page.locator('#doc-head').textContent(), /javascript:alert\(4\)/);
	});

	await t.test('documents and rules tables', async () => {
		await page.click('#tab-docs');
		const drows = page.locator('#docs-table tbody tr');
		await drows.first().waitFor(); // the table renders after the click
		assert.equal(await drows.count(), 3);
		const h = drows.filter({ hasText: 'harbour.txt' });
		assert.match(await h.textContent(), /14%/); // 1 hedged sentence in 7
		await page.click('#tab-rules');
		const rrows = page.locator('#rules-table tbody tr');
		await rrows.first().waitFor();
		assert.ok(await rrows.count() >= 8);
		const mm = rrows.filter({ hasText: 'hedge.may-might' });
		assert.equal(await mm.locator('td').nth(2).textContent(), '1');
		await shot(page, 'report-rules.png');
		await mm.locator('code.rule').click();
		await page.waitForSelector('#view-claims:not([hidden])');
		assert.equal(await rows(page).count(), 1);
		assert.match(await rows(page).first().textContent(), /The council may close/);
	});

	await t.test('nothing alarming happened', async () => {
		assert.deepEqual(seen.dialogs, []);
		assert.deepEqual(seen.errors, []);
		assert.deepEqual(seen.requests, []);
	});
	await page.close();
});

test('big report: loads, pages and filters quickly', { skip: !BIG }, async () => {
	const { page, seen } = await open(BIG);
	const size = fs.statSync(BIG).size;
	console.log(`# big report: ${BIG_CLAIMS} claims, ${(size / 1048576).toFixed(1)} MiB, ready in ${seen.loadMs} ms`);
	assert.ok(seen.loadMs < LOAD_LIMIT_MS, `loaded in ${seen.loadMs} ms`);
	assert.equal(await rows(page).count(), 100);
	if (BIG_CLAIMS) assert.match(await page.locator('#count').textContent(), new RegExp(`of ${BIG_CLAIMS.toLocaleString('en-US')} claims`));

	async function timed(what, fn) {
		const t0 = Date.now();
		await fn();
		const ms = Date.now() - t0;
		console.log(`# big report: ${what} in ${ms} ms`);
		assert.ok(ms < STEP_LIMIT_MS, `${what} took ${ms} ms`);
	}
	await timed('next page', async () => {
		await page.locator('#pager-top .next').click();
		await page.waitForFunction(() => document.querySelector('#claims-list article.claim').dataset.rank === '101');
	});
	assert.match(await page.locator('#pager-top .info').textContent(), /^page 2 of/);
	await timed('last page', async () => {
		await page.locator('#pager-top .last').click();
		await page.waitForFunction((n) => document.querySelector('#claims-list article.claim:last-child').dataset.rank === String(n), BIG_CLAIMS || 0);
	});
	await timed('search', async () => {
		await page.fill('#search', 'dock 7');
		await page.waitForFunction(() => /of [\d,]+ claims \(filtered/.test(document.getElementById('count').textContent));
	});
	await page.fill('#search', '');
	await page.waitForFunction(() => !/filtered/.test(document.getElementById('count').textContent));
	await timed('score filter', async () => {
		await setRange(page, '#min-score', 0.63);
		await page.waitForFunction(() => /filtered/.test(document.getElementById('count').textContent));
	});
	const scores = await rows(page).evaluateAll((els) => els.map((e) => Number(e.dataset.score)));
	assert.ok(scores.length > 0 && scores.every((s) => s >= 0.63), String(scores.slice(0, 5)));
	await timed('document view', async () => {
		await page.locator('#claims-list a.doclink').first().click();
		await page.waitForSelector('#view-doc:not([hidden]) #doc-text .flag.current');
	});
	await shot(page, 'report-big-document.png');
	assert.deepEqual(seen.errors, []);
	assert.deepEqual(seen.requests, []);
	await page.close();
});
