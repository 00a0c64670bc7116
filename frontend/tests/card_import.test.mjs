// Importing J-LIS card data in Chromium with JavaScript off: an administrator uploads the
// bad sample and sees its seven problems by line, uploads the good sample, confirms the
// preview, and finds a card by name in kana. Every page passes axe-core's WCAG 2.0 A/AA rules.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { expectAccessible, launchBrowser, repoRoot, screenshot, startServer } from './support/harness.mjs';

const DESK = { viewport: { width: 1280, height: 800 }, javaScriptEnabled: false, locale: 'ja-JP' };
const PASSWORD = 'Madoguchi#2026';
const data = (file) => path.join(repoRoot, '../shared/data', file);
// A city with the sample files' five locations and no cards yet.
const CITY = `
code = "city"
name = "見本市"
${['0101', '0102', '0103', '0104', '0105'].map((code) => `
[[locations]]
code = "${code}"
name = "窓口${code}"
issues_cards = true
[[locations.lanes]]
code = "main"
procedures = ["pickup"]
[[locations.lanes.timetables]]
effective_from = 2020-01-01
slot_minutes = 30
capacity = 4
[locations.lanes.timetables.hours]
weekdays = ["09:00-17:00"]`).join('\n')}
[[procedures]]
code = "pickup"
name_ja = "カードの受け取り"
needs_card = true
`;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'madoguchi-city-')), 'city.toml');
  writeFileSync(file, CITY);
  server.cli(['tenant', 'apply', file]);
  server.cli(['staff', 'create', '--tenant', 'city', '--login', 'admin', '--role', 'admin'], { MADOGUCHI_STAFF_PASSWORD: PASSWORD });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();
const notice = (page) => page.locator('.scan-result').textContent();

test('an administrator sees the bad file refused line by line, imports the good one and finds a card', async () => {
  const context = await browser.newContext(DESK);
  const page = await context.newPage();
  await page.goto(`${server.base}/city/staff/cards/import`);
  await page.getByLabel('ログインID').fill('admin');
  await page.getByLabel('パスワード').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
  assert.equal(await heading(page), 'カードデータの取り込み');
  await expectAccessible(browser, page);

  await page.getByLabel('J-LISのカード作成データ（CSV）').setInputFiles(data('jlis-cards-bad.utf8.csv'));
  await page.getByRole('button', { name: '内容を確認する' }).click();
  assert.match(await notice(page), /7 件の問題があるため、何も取り込んでいません/);
  const lines = await page.locator('table.today').first().locator('tbody tr td:first-child').allTextContents();
  assert.deepEqual(lines, ['3', '4', '5', '6', '7', '8', '9']);
  assert.match(await page.locator('table.today').first().textContent(), /5製造管理番号2行目と同じです/);
  await expectAccessible(browser, page);
  await screenshot(page, 'cards-01-problems');
  assert.equal(server.sql("SELECT count(*) FROM card_records c JOIN tenants t ON t.id = c.tenant_id WHERE t.code = 'city'"), '0');

  await page.getByLabel('J-LISのカード作成データ（CSV）').setInputFiles(data('jlis-cards-sample.cp932.csv'));
  await page.getByRole('button', { name: '内容を確認する' }).click();
  assert.match(await notice(page), /まだ取り込んでいません/);
  assert.match(await page.locator('main').textContent(), /200行：新規 200 件、変更 0 件、変更なし 0 件/);
  assert.match(await page.locator('dl.summary').textContent(), /CP932/);
  await expectAccessible(browser, page);
  await screenshot(page, 'cards-02-preview');
  await page.getByRole('button', { name: 'この内容で取り込む' }).click();
  assert.match(await notice(page), /取り込みました。200行：新規 200 件/);
  assert.match(await page.locator('table.today tbody').textContent(), /staff:adminjlis-cards-sample\.cp932\.csv/);
  await expectAccessible(browser, page);
  await screenshot(page, 'cards-03-imported');

  await page.getByRole('link', { name: 'カードの検索' }).first().click();
  await page.getByLabel('氏名カナ（前方一致）').fill('やまざき');
  await page.getByRole('button', { name: '検索' }).click();
  const found = await page.locator('table.today tbody').textContent();
  assert.match(found, /山崎　大輔ヤマザキ　ダイスケ1961-05-07/);
  await expectAccessible(browser, page);
  await screenshot(page, 'cards-04-search');
  await page.getByRole('link', { name: '山崎　大輔' }).click();
  assert.equal(await heading(page), 'カードの記録');
  assert.match(await page.locator('table.today tbody').textContent(), /取り込み（受領）/);
  await expectAccessible(browser, page);
  await screenshot(page, 'cards-05-card');
  await context.close();
});
