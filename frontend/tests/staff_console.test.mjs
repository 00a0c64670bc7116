// The staff console in Chromium with JavaScript off: login, lockout, idle logout, the 403
// page, and a clerk checking a visitor in by typing the code and Enter, then handing the
// card over and exporting the booking list as CSV. Every page passes axe-core's WCAG 2.0 A/AA rules.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { expectAccessible, launchBrowser, screenshot, startServer } from './support/harness.mjs';

const DESK = { viewport: { width: 1024, height: 768 }, javaScriptEnabled: false, locale: 'ja-JP' };
const PASSWORD = 'Madoguchi#2026';
// A town whose counter is open around the clock, so that "today" has slots whenever this runs.
const TOWN = `
code = "town"
name = "終日町"
[rules]
closed_on_national_holidays = false
closed_over_new_year = false
[[procedures]]
code = "apply"
name_ja = "マイナンバーカードの申請"
[[locations]]
code = "0001"
name = "本庁"
[[locations.lanes]]
code = "main"
procedures = ["apply"]
[[locations.lanes.timetables]]
effective_from = 2020-01-01
slot_minutes = 60
capacity = 8
[locations.lanes.timetables.hours]
weekdays = ["00:00-23:59"]
sat = ["00:00-23:59"]
sun = ["00:00-23:59"]
`;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'madoguchi-town-')), 'town.toml');
  writeFileSync(file, TOWN);
  server.cli(['tenant', 'apply', file]);
  for (const [login, role] of [['clerk', 'counter'], ['operator', 'operator'], ['victim', 'counter']]) {
    server.cli(['staff', 'create', '--tenant', 'town', '--login', login, '--role', role], { MADOGUCHI_STAFF_PASSWORD: PASSWORD });
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();

/** A booking in today's first slot, written straight into the database. */
function bookingToday(code) {
  server.sql(`
    INSERT INTO bookings (tenant_id, code, slot_id, procedure_id, channel, party_size, contact_email, created_at, updated_at)
    SELECT s.tenant_id, '${code}', s.id, lp.procedure_id, 'phone', 1, 'desk@example.jp', now(), now()
      FROM slots s JOIN tenants t ON t.id = s.tenant_id AND t.code = 'town'
      JOIN lane_procedures lp ON lp.lane_id = s.lane_id
     WHERE s.starts_at >= (date_trunc('day', now() AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo')
     ORDER BY s.starts_at LIMIT 1;
    UPDATE slots SET booked = booked + 1 WHERE id = (SELECT slot_id FROM bookings WHERE code = '${code}');
    INSERT INTO booking_members (tenant_id, booking_id, position, procedure_id, active)
      SELECT tenant_id, id, 1, procedure_id, true FROM bookings WHERE code = '${code}';`);
}

async function logIn(page, login, password) {
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

test('a clerk logs in, checks a visitor in by typing the code and Enter, and hands the card over', async () => {
  bookingToday('KTEST2345');
  const context = await browser.newContext(DESK);
  const page = await context.newPage();
  await page.goto(`${server.base}/town/staff/today`);
  assert.equal(await heading(page), '職員ログイン');
  await expectAccessible(browser, page);
  await screenshot(page, 'staff-01-login');
  await logIn(page, 'clerk', PASSWORD);

  assert.equal(await heading(page), '本日の受付（本庁）');
  assert.match(await page.locator('table.today').textContent(), /KTE-ST2-345.*予約中/s);
  await expectAccessible(browser, page);
  await screenshot(page, 'staff-02-today');

  // A scanner types the code and Enter; so can a person.
  await page.getByLabel(/予約番号/).fill('kte-st2-345');
  await page.getByLabel(/予約番号/).press('Enter');
  assert.match(await page.locator('.scan-result').textContent(), /KTE-ST2-345 を受け付けました/);
  assert.match(await page.locator('table.today').textContent(), /KTE-ST2-345.*来庁済/s);
  await expectAccessible(browser, page);
  await screenshot(page, 'staff-03-checked-in');

  await page.getByRole('button', { name: '交付済にする KTE-ST2-345' }).click();
  assert.match(await page.locator('.scan-result').textContent(), /交付済にしました/);
  assert.match(await page.locator('table.today').textContent(), /KTE-ST2-345.*交付済/s);
  await expectAccessible(browser, page);
  await screenshot(page, 'staff-04-handed-over');

  // The booking list finds it too, and exports it.
  await page.goto(`${server.base}/town/staff/bookings?code=KTEST2345`);
  assert.equal(await heading(page), '予約の検索');
  assert.match(await page.locator('table.today tbody').textContent(), /KTE-ST2-345/);
  await expectAccessible(browser, page);
  await screenshot(page, 'staff-05-bookings');
  const listed = await page.locator('table.today tbody tr').count();
  const href = await page.getByRole('link', { name: 'CSVで出力（UTF-8）' }).getAttribute('href');
  const csv = await (await context.request.get(new URL(href, server.base).href)).body();
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM for Excel');
  const lines = csv.subarray(3).toString('utf8').split('\r\n').filter((line) => line !== '');
  assert.match(lines[0], /^予約番号,来庁日時,窓口,手続き,人数,状態,受付経路/);
  assert.equal(lines.length - 1, listed, 'one CSV row per listed booking');
  assert.match(lines[1], /^KTE-ST2-345,/);
  await page.goto(`${server.base}/town/staff/today`);

  // A code that matches nothing gets its own message at the scan box.
  await page.getByLabel(/予約番号/).fill('ZZZZZZZZZ');
  await page.getByLabel(/予約番号/).press('Enter');
  assert.match(await page.locator('.scan-result').textContent(), /予約が見つかりません/);
  await context.close();
});

test('an operator is refused the staff management page', async () => {
  const context = await browser.newContext(DESK);
  const page = await context.newPage();
  await page.goto(`${server.base}/town/staff/login`);
  await logIn(page, 'operator', PASSWORD);
  const response = await page.goto(`${server.base}/town/staff/accounts`);
  assert.equal(response.status(), 403);
  assert.equal(await heading(page), 'このページを利用する権限がありません。');
  await expectAccessible(browser, page);
  await context.close();
});

test('five wrong passwords lock the account; an idle session goes back to the login', async () => {
  const context = await browser.newContext(DESK);
  const page = await context.newPage();
  await page.goto(`${server.base}/town/staff/login`);
  for (let i = 0; i < 5; i += 1) {
    await logIn(page, 'victim', 'Wrong#Password1');
    assert.match(await page.locator('#login-error').textContent(), /ログインIDまたはパスワードが正しくありません/);
  }
  await logIn(page, 'victim', PASSWORD);
  assert.equal(await heading(page), '職員ログイン', 'the right password no longer opens a locked account');
  await expectAccessible(browser, page);

  await logIn(page, 'clerk', PASSWORD);
  assert.equal(await heading(page), '本日の受付（本庁）');
  server.sql("UPDATE staff_sessions SET last_seen_at = now() - interval '21 minutes'");
  await page.reload();
  assert.equal(await heading(page), '職員ログイン');
  await context.close();
});
