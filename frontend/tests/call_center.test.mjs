// The call-center desk and the administrator's pages in Chromium with JavaScript off, on
// the seeded demo city: an operator books a card pickup for a caller who has lost the
// notice (found by name in kana and birth date), moves it and cancels it; an administrator
// creates an account, reads and exports the operation log; the new account must change its
// password first. Every page passes axe-core's WCAG 2.0 A/AA rules.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { expectAccessible, launchBrowser, sampleHolder, screenshot, startServer } from './support/harness.mjs';

const DESK = { viewport: { width: 1280, height: 800 }, javaScriptEnabled: false, locale: 'ja-JP' };
const PASSWORD = 'Madoguchi#2026';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  for (const [login, role] of [['operator', 'operator'], ['admin', 'admin']]) {
    server.cli(['staff', 'create', '--tenant', 'demo', '--login', login, '--role', role], { MADOGUCHI_STAFF_PASSWORD: PASSWORD });
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();
const notice = (page) => page.locator('.scan-result').textContent();
/** Katakana as a caller's name is often typed: in hiragana. */
const hiragana = (kana) => kana.replace(/[\u30A1-\u30F6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));

/**
 * Clicks a day with free places in the week shown, counted from the week's end (0: the
 * last), going on a week while this one has too few (the days before New Year). Never a
 * time of today, which could start while the test runs.
 */
async function chooseWeekDay(page, fromEnd) {
  for (let week = 0; week < 4; week += 1) {
    const days = page.locator('table.today tbody a');
    const count = await days.count();
    if (count > fromEnd + 1 || (count > fromEnd && week > 0)) {
      await days.nth(count - 1 - fromEnd).click();
      return;
    }
    await page.getByRole('link', { name: '次の週' }).click();
  }
  assert.fail('no week with free days');
}

async function logIn(page, login, password) {
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

test('an operator books a pickup for a caller without the number, then moves and cancels it', async () => {
  const holder = sampleHolder('0104', 0);
  const context = await browser.newContext(DESK);
  const page = await context.newPage();
  await page.goto(`${server.base}/demo/staff/phone`);
  await logIn(page, 'operator', PASSWORD);
  assert.equal(await heading(page), '電話予約（代行入力）', 'back on the page asked for');
  await expectAccessible(browser, page);
  await screenshot(page, 'call-01-start');

  // Kana alone is not enough: it matches too many people.
  await page.getByLabel('氏名カナ').fill(hiragana(holder.kana));
  await page.getByRole('button', { name: '検索' }).click();
  assert.match(await notice(page), /生年月日も入力してください/);
  await page.getByLabel('生年月日').fill(holder.birthDate);
  await page.getByRole('button', { name: '検索' }).click();
  const found = page.locator('table.today tbody');
  assert.match(await found.textContent(), new RegExp(holder.name));
  assert.equal(await found.locator('tr').count(), 1, 'name and birth date find one card');
  await expectAccessible(browser, page);
  await screenshot(page, 'call-02-card-found');

  await page.getByRole('link', { name: `${holder.name} さんの受取を予約` }).click();
  assert.equal(await heading(page), '空き状況（全窓口）');
  const counters = await page.locator('table.today tbody tr td:first-child').allTextContents();
  assert.deepEqual(counters, ['東地区市民センター'], 'a card is picked up where it is kept');
  await expectAccessible(browser, page);
  await screenshot(page, 'call-03-week');

  await chooseWeekDay(page, 0);
  assert.equal(await heading(page), '時間を選んでください');
  await page.locator('input[name=slot]:not([disabled])').first().check();
  await expectAccessible(browser, page);
  await screenshot(page, 'call-04-times');
  await page.getByRole('button', { name: 'この時間を仮押さえする' }).click();

  assert.equal(await heading(page), '連絡先とメモ');
  assert.match(await notice(page), /仮押さえしています/);
  await page.getByRole('button', { name: 'この内容で予約する' }).click();
  assert.match(await page.locator('#phone-error').textContent(), /電話番号かメールアドレス/);
  await expectAccessible(browser, page);
  await page.getByLabel('電話番号').fill('090-1234-5678');
  await page.getByLabel('メモ（窓口への申し送り）').fill('耳が不自由なため筆談を希望');
  await expectAccessible(browser, page);
  await screenshot(page, 'call-05-details');
  await page.getByRole('button', { name: 'この内容で予約する' }).click();

  assert.equal(await heading(page), '予約の詳細');
  assert.match(await notice(page), /予約しました。予約番号 [0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3} をお客様に/);
  const facts = await page.locator('dl.summary').textContent();
  assert.match(facts, /受付経路電話/);
  assert.match(facts, /耳が不自由なため筆談を希望/);
  assert.match(await page.locator('table.today tbody').textContent(), /予約staff:operator電話127\.0\.0\.1/);
  await expectAccessible(browser, page);
  await screenshot(page, 'call-06-booked');
  const stored = server.sql(`
    SELECT b.channel || '|' || b.note || '|' || b.status FROM bookings b
      JOIN booking_members m ON m.booking_id = b.id JOIN card_records c ON c.id = m.card_id
     WHERE c.name_kana = '${holder.kana}'`);
  assert.equal(stored, 'phone|耳が不自由なため筆談を希望|booked');

  // The caller rings again: another day, then a cancellation.
  await page.getByRole('link', { name: '日時を変更する' }).click();
  assert.equal(await heading(page), '空き状況（全窓口）');
  await chooseWeekDay(page, 1);
  await page.locator('input[name=slot]:not([disabled])').first().check();
  await page.getByRole('button', { name: 'この時間に変更する' }).click();
  assert.match(await notice(page), /日時を変更しました/);
  assert.match(await page.locator('table.today tbody').textContent(), /日時変更/);

  await page.getByRole('button', { name: 'この予約を取り消す' }).click();
  assert.match(await notice(page), /お客様の意思を確認して/);
  await page.getByLabel('お客様に取消の意思を確認しました').check();
  await page.getByRole('button', { name: 'この予約を取り消す' }).click();
  assert.match(await notice(page), /予約を取り消しました/);
  assert.match(await page.locator('dl.summary').textContent(), /状態取消/);
  await expectAccessible(browser, page);
  await screenshot(page, 'call-07-cancelled');
  await context.close();
});

test('an administrator creates an account and exports the operation log; the new account changes its password first', async () => {
  const context = await browser.newContext(DESK);
  const page = await context.newPage();
  await page.goto(`${server.base}/demo/staff/accounts`);
  await logIn(page, 'admin', PASSWORD);
  assert.equal(await heading(page), '職員アカウント');
  await expectAccessible(browser, page);

  await page.getByLabel('ログインID').fill('tanaka');
  await page.getByLabel('表示名').fill('田中');
  await page.getByLabel('役割').selectOption('counter');
  await page.getByLabel('窓口').selectOption({ label: 'デモ市役所 北支所' });
  await page.getByLabel('初期パスワード').fill('tanaka');
  await page.getByRole('button', { name: 'アカウントを作る' }).click();
  assert.match(await page.locator('#password-error').textContent(), /英大文字、数字、記号/);
  await expectAccessible(browser, page);
  await page.getByLabel('初期パスワード').fill('Tanaka#First1');
  await page.getByRole('button', { name: 'アカウントを作る' }).click();
  assert.match(await notice(page), /アカウントを作りました/);
  assert.match(await page.locator('table.today tbody').textContent(), /tanaka田中窓口職員デモ市役所 北支所パスワード変更待ち/);
  await screenshot(page, 'admin-01-accounts');

  await page.getByRole('link', { name: 'tanaka' }).click();
  assert.equal(await heading(page), '職員アカウント');
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-02-account');

  await page.goto(`${server.base}/demo/staff/log`);
  assert.equal(await heading(page), '操作ログ');
  await page.getByLabel('操作', { exact: true }).selectOption('staff.account_created');
  await page.getByRole('button', { name: '検索' }).click();
  const rows = page.locator('table.today tbody tr');
  assert.equal(await rows.count(), 1);
  // The action in words; the filter still chooses by the action's code.
  assert.match(await rows.first().textContent(), /staff:adminアカウントの作成tanaka/);
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-03-log');

  const listed = await page.locator('table.today tbody tr').count();
  const href = await page.getByRole('link', { name: 'CSVで出力（UTF-8）' }).getAttribute('href');
  const csv = await context.request.get(new URL(href, server.base).href);
  const body = await csv.body();
  assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
  const lines = body.subarray(3).toString('utf8').split('\r\n').filter((line) => line !== '');
  assert.equal(lines[0], '日時,操作者,操作,対象,端末のアドレス,詳細');
  assert.equal(lines.length - 1, listed, 'the export has the rows of the list');

  const clerk = await (await browser.newContext(DESK)).newPage();
  await clerk.goto(`${server.base}/demo/staff/login`);
  await logIn(clerk, 'tanaka', 'Tanaka#First1');
  assert.equal(await heading(clerk), 'パスワード変更');
  assert.match(await notice(clerk), /新しいパスワードを決めてください/);
  await expectAccessible(browser, clerk);
  await screenshot(clerk, 'admin-04-password');
  await clerk.getByLabel('いまのパスワード').fill('Tanaka#First1');
  await clerk.getByLabel('新しいパスワード', { exact: true }).fill('Tanaka#Second2');
  await clerk.getByLabel('新しいパスワード（確認のためもう一度）').fill('Tanaka#Second2');
  await clerk.getByRole('button', { name: 'パスワードを変更する' }).click();
  assert.match(await notice(clerk), /パスワードを変更しました/);
  await clerk.goto(`${server.base}/demo/staff/`);
  assert.equal(await heading(clerk), '本日の受付（デモ市役所 北支所）', 'a clerk of one counter starts at its day');
  await context.close();
});
