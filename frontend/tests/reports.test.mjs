// Statistics as an administrator reads them, with the server's clock at Saturday 10 April
// 2027 in Tokyo: the reports page opens on the current fiscal year, switches to the past
// one (2026年度), and its CSV and Excel downloads hold the same numbers as the page; the
// workbook is read back with calamine (backend/examples/xlsx_cells.rs). JavaScript off,
// in a phone-sized window; axe-core on every page opened.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { PHONE, expectAccessible, launchBrowser, repoRoot, screenshot, startServer } from './support/harness.mjs';

const PASSWORD = 'Madoguchi#2026';
const NOW = '2027-04-10T12:00:00+09:00';

let server;
let browser;

/**
 * Past visits at the demo city's first counter, written into its database: one in
 * 2025年度 (10 March 2026) and three on 15 March 2027 (2026年度): handed over, cancelled by
 * an operator on the phone, and a no-show.
 */
function arrangeHistory() {
  server.sql(`
    CREATE TEMP TABLE lane AS
      SELECT l.id, l.location_id, l.tenant_id FROM lanes l JOIN tenants t ON t.id = l.tenant_id
       WHERE t.code = 'demo' ORDER BY l.id LIMIT 1;
    CREATE TEMP TABLE visit (code text, at timestamptz, status text, channel text);
    INSERT INTO visit VALUES
      ('RPTAAAAA2', '2026-03-10 10:00+09', 'completed', 'web'),
      ('RPTAAAAA3', '2027-03-15 10:00+09', 'completed', 'web'),
      ('RPTAAAAA4', '2027-03-15 10:30+09', 'cancelled', 'phone'),
      ('RPTAAAAA5', '2027-03-15 11:00+09', 'no_show', 'web');
    INSERT INTO slots (tenant_id, location_id, lane_id, starts_at, ends_at, capacity, web_capacity, booked)
      SELECT lane.tenant_id, lane.location_id, lane.id, v.at, v.at + interval '30 minutes', 4, 3,
             CASE WHEN v.status = 'cancelled' THEN 0 ELSE 1 END
        FROM lane, visit v;
    INSERT INTO bookings (tenant_id, code, slot_id, procedure_id, status, channel, party_size,
                          contact_email, created_at, updated_at, cancelled_at)
      SELECT s.tenant_id, v.code, s.id,
             (SELECT id FROM procedures WHERE tenant_id = s.tenant_id AND code = 'apply'),
             v.status, v.channel, 1, lower(v.code) || '@example.jp',
             v.at - interval '5 days', v.at - interval '5 days',
             CASE WHEN v.status = 'cancelled' THEN v.at - interval '2 days' END
        FROM visit v JOIN slots s ON s.starts_at = v.at JOIN lane ON lane.id = s.lane_id;
    INSERT INTO booking_events (tenant_id, booking_id, kind, actor, channel, created_at)
      SELECT b.tenant_id, b.id, 'created', 'resident', b.channel, b.created_at
        FROM bookings b JOIN visit v ON v.code = b.code;
    INSERT INTO booking_events (tenant_id, booking_id, kind, actor, channel, created_at)
      SELECT b.tenant_id, b.id, 'cancelled', 'staff:admin', 'phone', b.cancelled_at
        FROM bookings b JOIN visit v ON v.code = b.code WHERE b.status = 'cancelled';`);
}

before(async () => {
  server = await startServer({ at: NOW });
  browser = await launchBrowser();
  server.cli(['staff', 'create', '--tenant', 'demo', '--login', 'admin', '--role', 'admin'], { MADOGUCHI_STAFF_PASSWORD: PASSWORD });
  arrangeHistory();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();

/** The value shown beside `label` in the page's summary of figures. */
const fact = (page, label) => page.locator('dl.summary .summary-row')
  .filter({ has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
  .locator('dd').textContent();

/** Saves the download a click on the link named `name` starts; returns the file's path. */
async function download(page, name) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name, exact: true }).click(),
  ]);
  const saved = path.join(server.varDir, file.suggestedFilename());
  await file.saveAs(saved);
  return saved;
}

test('an administrator reads a past fiscal year on the page, in CSV and in Excel', async () => {
  const page = await (await browser.newContext({ ...PHONE, acceptDownloads: true })).newPage();
  await page.goto(`${server.base}/demo/staff/reports`);
  await page.getByLabel('ログインID').fill('admin');
  await page.getByLabel('パスワード').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
  assert.equal(await heading(page), '統計・帳票');
  // The current fiscal year by month: 2027年4月1日 to 2028年3月31日, none of the history.
  assert.match(await page.locator('h2').first().textContent(), /^2027年4月1日〜2028年3月31日（月ごと）$/);
  assert.equal(await fact(page, '予約'), '0');
  await expectAccessible(browser, page);

  await page.getByLabel('年度', { exact: true }).selectOption({ label: '2026年度（令和8年度）' });
  await page.getByRole('button', { name: '集計する' }).click();
  assert.match(await page.locator('h2').first().textContent(), /^2026年4月1日〜2027年3月31日（月ごと）$/);
  assert.equal(await fact(page, '予約'), '3');
  assert.equal(await fact(page, '取消'), '1件（住民 0件・職員 1件）');
  assert.equal(await fact(page, '交付・完了'), '1');
  assert.equal(await fact(page, '来庁なし'), '1');
  assert.equal(await fact(page, 'ウェブ予約'), '2');
  assert.equal(await fact(page, '電話予約'), '1');
  // The chart is an image named by its summary, and the same words are its caption.
  const chart = page.getByRole('img', { name: /期間中の予約は3件、取消は1件です。予約が最も多いのは2027-03（3件）です。/ });
  assert.equal(await chart.count(), 1);
  await expectAccessible(browser, page);
  await screenshot(page, 'reports-01-figures');

  // The CSV: one row per month × counter × procedure, by visit date.
  const csv = readFileSync(await download(page, 'CSVで出力（UTF-8）'), 'utf8');
  assert.ok(csv.startsWith('\uFEFFperiod,location,procedure,booked,changed,cancelled,checked_in,handed_over,no_show,web,phone,places_offered,places_used\r\n'));
  const rows = csv.replace('\uFEFF', '').trim().split('\r\n').slice(1).map((line) => line.split(','));
  const booked = rows.filter((r) => r[3] !== '0');
  assert.deepEqual(booked.map((r) => r.slice(0, 11)),
    [['2027-03', '0101', 'apply', '3', '0', '1', '1', '1', '1', '2', '1']]);

  // The workbook: the same numbers, as numbers; the month as a date cell.
  const xlsx = await download(page, 'Excelで出力');
  const cells = execFileSync(path.join(repoRoot, 'target/debug/examples/xlsx_cells'), [xlsx], { encoding: 'utf8' })
    .trim().split('\n').map((line) => line.split('\t'));
  assert.deepEqual(cells[0].slice(0, 6), ['s:期間', 's:窓口', 's:手続き', 's:予約', 's:変更あり', 's:取消']);
  const march = cells.filter((r) => r[3] !== 'n:0').slice(1);
  assert.equal(march.length, 1);
  assert.deepEqual(march[0].slice(0, 11),
    ['d:2027-03-01', 's:デモ市役所 本庁舎', 's:マイナンバーカードの申請', 'n:3', 'n:0', 'n:1', 'n:0', 'n:1', 'n:1', 'n:1', 'n:1']);
  assert.equal(march[0][11], 'n:2', 'web bookings');
});

test('the card pipeline and the call center day open with their lists, accessibly', async () => {
  const page = await (await browser.newContext(PHONE)).newPage();
  await page.goto(`${server.base}/demo/staff/reports/cards`);
  await page.getByLabel('ログインID').fill('admin');
  await page.getByLabel('パスワード').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
  assert.equal(await heading(page), 'カードの状況（窓口別）');
  // The 200 sample cards of the demo city came in when it was seeded, this month.
  const imported = await page.locator('table tbody tr td:nth-child(2)').allTextContents();
  assert.equal(imported.map(Number).reduce((a, b) => a + b, 0), 200);
  await expectAccessible(browser, page);
  await screenshot(page, 'reports-02-cards');
  await page.getByRole('link', { name: '一覧' }).first().click();
  assert.match(await page.locator('h2').first().textContent(), /に交付予定のカード$/);
  await expectAccessible(browser, page);

  await page.goto(`${server.base}/demo/staff/reports/calls`);
  await page.getByLabel('日付').fill('2027-03-13');
  await page.getByRole('button', { name: '集計する' }).click();
  assert.equal(await page.locator('h2').first().textContent(), '2027年3月13日の電話受付');
  const cancelled = await page.locator('table tbody tr').last().locator('td').allTextContents();
  assert.deepEqual(cancelled, ['全員', '日計', '0', '0', '1']);
  await expectAccessible(browser, page);
  await screenshot(page, 'reports-03-calls');
});

test('the availability page gives the month by the contract formula, accessibly', async () => {
  // March 2027 in Tokyo, 44,640 minutes: 30 unplanned minutes down on the 15th, and an hour
  // down on the 20th inside a stop the platform operator recorded as planned.
  server.sql(`
    INSERT INTO service_minutes (minute, beats)
      SELECT m, 3 FROM generate_series(timestamptz '2027-03-01 00:00+09', timestamptz '2027-03-31 23:59+09',
                                       interval '1 minute') m
       WHERE NOT (m >= '2027-03-15 09:00+09' AND m < '2027-03-15 09:30+09')
         AND NOT (m >= '2027-03-20 02:00+09' AND m < '2027-03-20 03:00+09')
    ON CONFLICT (minute) DO NOTHING;`);
  server.cli(['availability', 'exclude', '--cause', 'planned', '--from', '2027-03-20 01:30',
    '--to', '2027-03-20 04:00', '--reason', 'OS update']);
  const page = await (await browser.newContext(PHONE)).newPage();
  await page.goto(`${server.base}/demo/staff/reports/availability`);
  await page.getByLabel('ログインID').fill('admin');
  await page.getByLabel('パスワード').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
  assert.equal(await heading(page), '稼働率');
  await page.getByLabel('年月（例 2026-11）').fill('2027-03');
  await page.getByRole('button', { name: '集計する' }).click();
  const figures = await page.locator('table').first().locator('tbody tr').evaluateAll(
    (rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent.trim())));
  assert.deepEqual(figures, [
    ['提供時間', '44640分'],
    ['停止時間', '90分'],
    ['計画停止', '60分'],
    ['市起因の停止', '0分'],
    // (44,640 − (90 − 60 − 0)) ÷ 44,640
    ['稼働率', '99.933 %'],
  ]);
  const stops = await page.locator('table').nth(1).locator('tbody tr').evaluateAll(
    (rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent.trim())));
  assert.deepEqual(stops, [
    ['2027-03-15 09:00', '2027-03-15 09:30', '30', '計画外'],
    ['2027-03-20 02:00', '2027-03-20 03:00', '60', '計画停止'],
  ]);
  await expectAccessible(browser, page);
  await screenshot(page, 'reports-04-availability');
});
