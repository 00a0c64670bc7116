// The staff side on its first day, with the server's clock at Tuesday 1 December 2026,
// 13:30 in Tokyo: who is logged in on every page, the operator's card search by POST and
// times already past, the clerk's check-in messages with names, counters and days, filters
// with unreadable dates, and the operation log in words. JavaScript off, in a phone-sized
// window (the console works there too); axe-core on every page opened.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, expectAccessible, launchBrowser, sampleHolder, screenshot, startServer } from './support/harness.mjs';

const PASSWORD = 'Madoguchi#2026';
const NOW = '2026-12-01T13:30:00+09:00';

let server;
let browser;

before(async () => {
  server = await startServer({ at: NOW });
  browser = await launchBrowser();
  for (const [login, role] of [['operator', 'operator'], ['clerk', 'counter'], ['admin', 'admin']]) {
    server.cli(['staff', 'create', '--tenant', 'demo', '--login', login, '--role', role], { MADOGUCHI_STAFF_PASSWORD: PASSWORD });
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();
const notice = (page) => page.locator('.scan-result').textContent();
const hiragana = (kana) => kana.replace(/[\u30A1-\u30F6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));

async function logIn(page, tenantPath, login) {
  await page.goto(`${server.base}${tenantPath}`);
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

/** Books by phone, through the operator's pages, a pickup today at 15:00 for a card of 0102. */
async function bookTodayByPhone(page, holder) {
  await page.goto(`${server.base}/demo/staff/phone`);
  await page.getByLabel('氏名カナ').fill(hiragana(holder.kana));
  await page.getByLabel('生年月日').fill(holder.birthDate);
  await page.getByRole('button', { name: '検索' }).click();
  await page.getByRole('link', { name: `${holder.name} さんの受取を予約` }).click();
  await page.getByRole('link', { name: /残り/ }).first().click();
  await page.getByLabel(/^15:00〜15:15/).check();
  await page.getByRole('button', { name: 'この時間を仮押さえする' }).click();
  await page.getByLabel('電話番号').fill('0312345678');
  await page.getByRole('button', { name: 'この内容で予約する' }).click();
  assert.equal(await heading(page), '予約の詳細');
  return (await notice(page)).match(/[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}/)[0];
}

test('an operator sees who is logged in, searches by POST, sees past times as past, and logs out', async () => {
  const holder = sampleHolder('0102', 3);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await logIn(page, '/demo/staff/phone', 'operator');
  assert.equal(await heading(page), '電話予約（代行入力）');
  assert.match(await page.locator('.staff-bar').textContent(), /ログイン中：\s*operator（コールセンター）/);

  // The search goes by POST: the caller's name and date of birth never stand in the address.
  await page.getByLabel('氏名カナ').fill(hiragana(holder.kana));
  await page.getByLabel('生年月日').fill('1990-02-30');
  await page.getByRole('button', { name: '検索' }).click();
  assert.ok(!page.url().includes('kana'), page.url());
  assert.match(await page.locator('#birth_date-error').textContent(), /「1990-02-30」という日はありません/);
  assert.equal(await page.getByLabel('氏名カナ').inputValue(), hiragana(holder.kana), 'what was typed is kept');
  await expectAccessible(browser, page);
  await page.getByLabel('生年月日').fill(holder.birthDate);
  await page.getByRole('button', { name: '検索' }).click();
  assert.ok(!page.url().includes('kana') && !page.url().includes(encodeURIComponent(holder.birthDate)), page.url());
  assert.match(await page.locator('table.today tbody').textContent(), new RegExp(holder.name));

  // Today's times before 13:30 are over, not full.
  await page.getByRole('link', { name: `${holder.name} さんの受取を予約` }).click();
  await page.getByRole('link', { name: /残り/ }).first().click();
  assert.match(await page.locator('main').textContent(), /2026年12月1日（火）/);
  const morning = page.getByLabel(/^09:00〜09:15/);
  assert.equal(await morning.isDisabled(), true);
  assert.match(await page.locator('label', { hasText: /^09:00〜09:15/ }).textContent(), /受付終了（過ぎた時間）/);
  assert.doesNotMatch(await page.locator('label', { hasText: /^09:00〜09:15/ }).textContent(), /満員/);
  assert.equal(await page.getByLabel(/^15:00〜15:15/).isDisabled(), false);
  await expectAccessible(browser, page);
  await screenshot(page, 'call-08-past-times');

  await page.getByRole('button', { name: 'ログアウト' }).click();
  assert.equal(await heading(page), '職員ログイン');
  await context.close();
});

test('a clerk is told whose booking was checked in, and for another day or counter which one', async () => {
  const operator = await browser.newContext(PHONE);
  const operatorPage = await operator.newPage();
  await logIn(operatorPage, '/demo/staff/phone', 'operator');
  const holder = sampleHolder('0102', 4);
  const today = await bookTodayByPhone(operatorPage, holder);
  // Another booking, at another counter for another day, made online.
  const other = sampleHolder('0103', 4);
  const slot = server.sql(`SELECT s.id FROM slots s JOIN locations l ON l.id = s.location_id
    WHERE l.code = '0103' AND s.starts_at = '2026-12-03 10:00+09' AND NOT s.closed`);
  const response = await fetch(`${server.base}/api/v1/demo/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ procedure: 'pickup', slot_id: Number(slot),
      members: [{ number: server.sql(`SELECT reservation_number FROM card_records WHERE name_kana = '${other.kana}' AND birth_date = '${other.birthDate}'`), birth_date: other.birthDate }],
      contact: { email: 'other@example.jp' } }),
  });
  const answer = await response.text();
  assert.equal(response.status, 201, answer);
  const elsewhere = JSON.parse(answer).code;
  await operator.close();

  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await logIn(page, '/demo/staff/today?location=0102', 'clerk');
  assert.match(await page.locator('.staff-bar').textContent(), /clerk（窓口職員）/);
  const row = page.locator('table.today tbody tr', { hasText: today });
  assert.match(await row.textContent(), new RegExp(holder.name), 'the day\'s list names the holder');
  // The wide list scrolls in its own region; the page does not scroll sideways.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375);

  await page.getByLabel(/^予約番号（QRコード/).fill(today.replaceAll('-', '').toLowerCase());
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.match(await notice(page), new RegExp(`${today} を受け付けました.*${holder.name} 様`));
  await expectAccessible(browser, page);

  await page.getByLabel(/^予約番号（QRコード/).fill(elsewhere);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const refused = await notice(page);
  assert.match(refused, /本日の予約ではありません。予約は 2026年12月3日（木） 10:00〜10:15、デモ市役所 南支所 です。/);
  assert.doesNotMatch(refused, new RegExp(other.name), 'no name of another counter\'s visitor');
  await expectAccessible(browser, page);
  await screenshot(page, 'staff-06-other-day');
  await context.close();
});

test('an administrator\'s filters name an unreadable date at its field and show no list as if filtered', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await logIn(page, '/demo/staff/bookings', 'admin');
  assert.equal(await heading(page), '予約の検索');
  assert.match(await page.locator('.staff-bar').textContent(), /admin（管理者）/);
  // This city keeps each card where it is picked up: no transfer list in the menu.
  assert.equal(await page.locator('.console-nav').getByRole('link', { name: /移送/ }).count(), 0);

  await page.getByLabel('来庁日（から）').fill('2026-02-30');
  await page.getByRole('button', { name: '検索' }).click();
  assert.match(await page.locator('.error-summary').textContent(), /「2026-02-30」という日はありません/);
  assert.match(await page.locator('#from-error').textContent(), /「2026-02-30」という日はありません/);
  assert.equal(await page.locator('table.today').count(), 0, 'no list is shown as if filtered');
  assert.match(await page.locator('main').textContent(), /検索していません/);
  await expectAccessible(browser, page);
  await screenshot(page, 'staff-07-filter-error');

  await page.getByRole('link', { name: '操作ログ' }).click();
  await page.getByLabel('日付（から）').fill('きのう');
  await page.getByRole('button', { name: '検索' }).click();
  assert.match(await page.locator('#from-error').textContent(), /日付として読み取れませんでした/);
  assert.equal(await page.locator('table.today').count(), 0);
  await expectAccessible(browser, page);

  // The log in words, with booking codes as staff read them aloud.
  await page.getByLabel('日付（から）').fill('');
  await page.getByRole('button', { name: '検索' }).click();
  const log = await page.locator('table.today tbody').textContent();
  assert.match(log, /予約の受付/);
  assert.match(log, /ログイン/);
  assert.doesNotMatch(log, /booking\.created|staff\.login/);
  assert.match(log, /[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}/);
  assert.match(log, /2026-12-01 13:\d\d:\d\d/, 'times in Japan time');
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-05-log-words');

  // The city's rules as they stand, from the menu, with the tenant file to export.
  await page.locator('.console-nav').getByRole('link', { name: '設定', exact: true }).click();
  assert.equal(await heading(page), '設定');
  const rules = await page.locator('main').textContent();
  assert.match(rules, /変更・取消の締切\s*1日前の17:00まで/);
  assert.match(rules, /メールアドレス\s*必須/);
  assert.equal(await page.getByRole('link', { name: '設定ファイル（TOML）を書き出す' }).count(), 1);
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-06-settings');

  // Announced stops: one showing now (13:30), one from tomorrow.
  await page.getByRole('link', { name: '停止のお知らせ' }).click();
  assert.equal(await heading(page), '停止のお知らせ');
  await page.getByLabel('表示の開始').fill('2026-12-01 15:00');
  await page.getByLabel('表示の終了').fill('2026-12-01 14:00');
  await page.getByLabel('お知らせ（日本語）').fill('点検のお知らせ');
  await page.getByRole('button', { name: 'お知らせを追加する' }).click();
  assert.match(await page.locator('.error-summary').textContent(), /表示の終了は開始より後にしてください。/);
  await expectAccessible(browser, page);
  for (const [from, until, text] of [
    ['2026-12-01 13:00', '2026-12-02 06:00', '12月2日 2時から5時まで、点検のため予約できません。'],
    ['2026-12-02 09:00', '2026-12-03 09:00', '12月10日の停止のお知らせ'],
  ]) {
    await page.getByLabel('表示の開始').fill(from);
    await page.getByLabel('表示の終了').fill(until);
    await page.getByLabel('お知らせ（日本語）').fill(text);
    await page.getByRole('button', { name: 'お知らせを追加する' }).click();
    assert.match(await notice(page), /お知らせを追加しました。/);
  }
  assert.match(await page.locator('.banner').textContent(), /点検のため予約できません/);
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-07-maintenance');
  const resident = await context.newPage();
  await resident.goto(`${server.base}/demo/`);
  assert.match(await resident.locator('.banner').first().textContent(), /12月2日 2時から5時まで/);
  assert.doesNotMatch(await resident.locator('body').textContent(), /12月10日の停止/);
  await resident.goto(`${server.base}/demo/booking`);
  assert.match(await resident.locator('.banner').textContent(), /12月2日 2時から5時まで/);
  await expectAccessible(browser, resident);

  // Applications by phone only: gone from the start page, still on the phone desk.
  await resident.goto(`${server.base}/demo/`);
  assert.equal(await resident.getByRole('link', { name: /マイナンバーカードの申請/ }).count(), 1);
  await page.goto(`${server.base}/demo/staff/settings`);
  await page.getByRole('link', { name: '手続きの案内' }).click();
  await expectAccessible(browser, page);
  await page.getByRole('link', { name: 'マイナンバーカードの申請' }).click();
  await page.getByLabel('電話でのみ受け付ける（住民の予約ページに出さない）').check();
  await page.getByRole('button', { name: '変更内容を確認する' }).click();
  assert.match(await page.locator('pre').textContent(), /apply: 電話でのみ受け付ける（住民の予約ページに出さない） いいえ → はい/);
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-08-procedure-preview');
  await page.getByRole('button', { name: '保存する' }).click();
  assert.match(await notice(page), /設定を保存しました。/);
  await resident.goto(`${server.base}/demo/`);
  assert.equal(await resident.getByRole('link', { name: /マイナンバーカードの申請/ }).count(), 0);
  await page.goto(`${server.base}/demo/staff/phone`);
  assert.equal(await page.getByRole('link', { name: 'マイナンバーカードの申請' }).count(), 1);
  await context.close();
});
