// Test support for the browser tests: the real `madoguchi serve` on the embedded default
// (its own PostgreSQL in a temporary folder, demo tenant seeded), Debian's Chromium driven
// by playwright-core, and axe-core for the WCAG 2.0 A/AA rules.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');
const binary = process.env.MADOGUCHI_BIN ?? path.join(repoRoot, 'target/debug/madoguchi');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A phone-sized window, JavaScript off: how the main flows must work. */
// A resident's phone set to Japanese, as most are; the language tests choose others.
export const PHONE = { viewport: { width: 375, height: 667 }, javaScriptEnabled: false, locale: 'ja-JP' };

async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/** Debian's libfaketime, preloaded into the server to stand its clock at a chosen instant. */
const FAKETIME_LIBRARY = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

/**
 * The environment that makes a process (and the PostgreSQL it starts) see `at` as "now"
 * when this is called, with its clock running on from there. `at` is an ISO instant with its offset, e.g.
 * `2026-11-30T18:30:00+09:00`. Nothing of this is in the production binary.
 */
export function clockAt(at) {
  const instant = new Date(at);
  assert.ok(!Number.isNaN(instant.getTime()), `not an instant: ${at}`);
  assert.ok(existsSync(FAKETIME_LIBRARY), `${FAKETIME_LIBRARY} is missing: apt-get install libfaketime`);
  // An offset from the real clock, the same for every process of the server (its
  // PostgreSQL and the commands a test runs), so that they all agree on "now".
  const offsetSeconds = Math.round((instant.getTime() - Date.now()) / 1000);
  return {
    LD_PRELOAD: FAKETIME_LIBRARY,
    FAKETIME: `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}`,
    // Timers and timeouts keep real time; only the wall clock is moved.
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    TZ: 'UTC',
  };
}

/**
 * Starts a server of our own; `stop()` ends it (and its PostgreSQL) and removes its data.
 * With `at` (or MADOGUCHI_TEST_CLOCK in the environment, for a whole run), the server's
 * clock stands at that instant when it starts.
 */
export async function startServer({ at = process.env.MADOGUCHI_TEST_CLOCK } = {}) {
  const varDir = mkdtempSync(path.join(tmpdir(), 'madoguchi-browser-'));
  chmodSync(varDir, 0o755); // PostgreSQL runs as `postgres` when the tests run as root
  const port = await freePort();
  const env = { ...process.env, MADOGUCHI_VAR_DIR: varDir, MADOGUCHI_BIND: `127.0.0.1:${port}`,
    MADOGUCHI_DEMO_DATA: path.join(repoRoot, '../shared/data'), RUST_LOG: 'warn',
    // Every test of a file logs in from 127.0.0.1, faster than people do.
    MADOGUCHI_LOGINS_PER_MINUTE: '600',
    ...(at ? clockAt(at) : {}) };
  delete env.DATABASE_URL;
  delete env.MADOGUCHI_TEST_CLOCK;
  const child = spawn(binary, ['serve'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    assert.equal(child.exitCode, null, 'madoguchi serve exited early');
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch { /* not listening yet */ }
    assert.ok(Date.now() < deadline, 'madoguchi serve did not come up');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const databaseUrl = `postgresql://postgres@/madoguchi?host=${varDir}/pg-run`;
  return {
    base,
    /** The server's own folder: its database, uploads and the mail it writes (var/mail). */
    varDir,
    /** Runs the madoguchi command against the server's database (e.g. `staff create`). */
    cli(args, extraEnv = {}) {
      return execFileSync(binary, args, {
        encoding: 'utf8',
        env: { ...env, ...extraEnv, DATABASE_URL: databaseUrl, RUST_LOG: 'error' },
      });
    },
    /** Runs SQL in the server's own database, to arrange what a test needs. */
    sql(statement) {
      return execFileSync('psql', [databaseUrl,
        '-v', 'ON_ERROR_STOP=1', '-qtA', '-c', statement], { encoding: 'utf8' }).trim();
    },
    /** Stops the server's PostgreSQL (fast shutdown), leaving the server running. */
    stopDatabase() {
      const pgCtl = execFileSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1'],
        { encoding: 'utf8' }).trim();
      const args = ['stop', '-D', path.join(varDir, 'pg'), '-m', 'fast', '-w'];
      if (process.getuid?.() === 0) {
        execFileSync('runuser', ['-u', 'postgres', '--', pgCtl, ...args], { stdio: 'ignore' });
      } else {
        execFileSync(pgCtl, args, { stdio: 'ignore' });
      }
    },
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      rmSync(varDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Runs axe-core on what `page` shows. The page itself has JavaScript off, so its HTML is
 * served again, at the same address, to a page with JavaScript on; styles load as usual.
 */
export async function expectAccessible(browser, page) {
  const html = await page.content();
  const url = page.url();
  const context = await browser.newContext({ viewport: PHONE.viewport });
  try {
    const checker = await context.newPage();
    await checker.route(url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await checker.goto(url);
    await checker.addScriptTag({ content: axeSource });
    const result = await checker.evaluate(async () => {
      const result = await globalThis.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
      });
      const rules = (outcome, list) => list.map((r) => ({ id: r.id, outcome, tags: r.tags }));
      return {
        version: result.testEngine.version,
        lang: document.documentElement.lang,
        title: document.title,
        rules: [...rules('passed', result.passes), ...rules('violated', result.violations),
          ...rules('incomplete', result.incomplete), ...rules('inapplicable', result.inapplicable)],
        violations: result.violations.map((v) => `${v.id}: ${v.help} @ ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`),
      };
    });
    recordAxe(url, result);
    assert.deepEqual(result.violations, [], `accessibility violations on ${url}`);
  } finally {
    await context.close();
  }
}

/**
 * Keeps what axe-core found on a page for the accessibility report
 * (frontend/accessibility/build-report.mjs reads target/accessibility-run/ after the run).
 */
function recordAxe(url, result) {
  const folder = path.join(repoRoot, 'target/accessibility-run');
  mkdirSync(folder, { recursive: true });
  const address = new URL(url);
  const line = JSON.stringify({
    path: address.pathname,
    lang: result.lang,
    title: result.title,
    version: result.version,
    rules: result.rules,
  });
  appendFileSync(path.join(folder, `${process.pid}.jsonl`), `${line}\n`);
}

/** Writes a screenshot of the page for the user guide. */
export async function screenshot(page, name) {
  const folder = path.join(repoRoot, 'docs/screenshots');
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: path.join(folder, `${name}.png`), fullPage: true });
}

/** A card of the sample file kept at `location`: [reservation number, birth date]. */
export function sampleCard(location, skip = 0) {
  const rows = sampleRows().filter((cells) => cells[6] === location);
  const [, , number, , , birth] = rows[skip];
  return [number, birth];
}

/** The holder of a card of the sample file kept at `location`: { name, kana, birthDate }. */
export function sampleHolder(location, skip = 0) {
  const [, , , name, kana, birth] = sampleRows().filter((cells) => cells[6] === location)[skip];
  return { name, kana, birthDate: birth.replaceAll('/', '-') };
}

/** The rows of the sample J-LIS file (UTF-8), without the header. */
function sampleRows() {
  return readFileSync(path.join(repoRoot, '../shared/data/jlis-cards-sample.utf8.csv'), 'utf8')
    .replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1).map((line) => line.split(','));
}

/**
 * Clicks the `nth` bookable day (0: the first) of the calendar page, going on to the next
 * month when this one has fewer (a month's last open day, the days before New Year).
 */
export async function chooseDay(page, nth = 0) {
  let left = nth;
  for (;;) {
    const days = page.locator('table.calendar a');
    const count = await days.count();
    if (left < count) {
      await days.nth(left).click();
      return;
    }
    left -= count;
    // The month navigation's next link, whatever the page's language.
    const next = page.locator('nav.month-nav a[rel=next]');
    assert.ok(await next.count() > 0, `fewer than ${nth + 1} bookable days in the booking window`);
    await next.click();
  }
}

/** The messages `server` has written to its mail folder so far: [file, raw text]. */
export function mailMessages(server) {
  const folder = path.join(server.varDir, 'mail');
  try {
    return readdirSync(folder).filter((f) => f.endsWith('.eml'))
      .map((f) => [path.join(folder, f), readFileSync(path.join(folder, f), 'utf8')]);
  } catch {
    return [];
  }
}

/** The decoded plain-text part of a message, read by Python's own e-mail parser. */
export function plainText(file) {
  return execFileSync('python3', ['-c', `import email, sys
message = email.message_from_binary_file(open(sys.argv[1], 'rb'))
part = next(p for p in message.walk() if p.get_content_type() == 'text/plain')
sys.stdout.write(part.get_payload(decode=True).decode(part.get_content_charset()))`, file], { encoding: 'utf8' });
}
