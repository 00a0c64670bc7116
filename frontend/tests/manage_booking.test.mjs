// After booking: look the booking up, move it to another day, cancel it; and what the
// resident sees when the chosen time is lost while they type. JavaScript off throughout.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, chooseDay, expectAccessible, launchBrowser, sampleCard, screenshot, startServer } from './support/harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();

/** Books a pickup through the pages and returns its code. */
async function bookPickup(page, number, birthDate, { dayIndex = 0 } = {}) {
  await page.goto(`${server.base}/demo/book/pickup/`);
  await page.getByLabel('予約番号').fill(number);
  await page.getByLabel('生年月日').fill(birthDate);
  await page.getByRole('button', { name: '次へ進む' }).click();
  await chooseDay(page, dayIndex);
  await page.locator('input[type=radio]:not([disabled])').first().check();
  await page.getByRole('button', { name: 'この時間にする' }).click();
  await page.getByLabel('メールアドレス').fill('hanako@example.jp');
  await page.getByRole('button', { name: '次へ進む' }).click();
  await page.getByRole('button', { name: 'この内容で予約する' }).click();
  assert.equal(await heading(page), '予約が完了しました');
  return (await page.locator('.booking-code .code').textContent()).trim();
}

test('a booking is looked up, moved to another day and cancelled', async () => {
  const [number, birthDate] = sampleCard('0102', 1);
  const booking = await browser.newContext(PHONE);
  const code = await bookPickup(await booking.newPage(), number, birthDate);
  await booking.close();

  // Another day, another browser: the code and the birth date are enough.
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.base}/demo/booking`);
  assert.equal(await heading(page), '予約の確認・変更・取消');
  await expectAccessible(browser, page);
  await screenshot(page, '08-lookup');
  await page.getByLabel('予約番号').fill(code.toLowerCase().replaceAll('-', ''));
  await page.getByLabel('生年月日（カードの受け取りの場合）').fill('1900-01-01');
  await page.getByRole('button', { name: '予約を確認する' }).click();
  assert.match(await page.locator('.error-summary').textContent(), /一致する予約はありません/);
  await expectAccessible(browser, page);
  await page.getByLabel('生年月日（カードの受け取りの場合）').fill(birthDate);
  await page.getByRole('button', { name: '予約を確認する' }).click();

  assert.equal(await heading(page), 'ご予約の内容');
  assert.equal((await page.locator('.booking-code .code').textContent()).trim(), code);
  const before = await page.locator('dl.summary').textContent();
  await expectAccessible(browser, page);
  await screenshot(page, '09-booking');

  await page.getByRole('link', { name: '日時を変更する' }).click();
  assert.equal(await heading(page), '来庁する日を選んでください');
  await chooseDay(page, 1);
  await page.locator('input[type=radio]:not([disabled])').first().check();
  await page.getByRole('button', { name: 'この時間にする' }).click();
  assert.equal(await heading(page), '日時の変更の確認');
  await expectAccessible(browser, page);
  await screenshot(page, '10-move');
  await page.getByRole('button', { name: '変更する' }).click();

  assert.equal(await heading(page), 'ご予約の内容');
  assert.equal(await page.locator('.notice').textContent(), '日時を変更しました。');
  const moved = await page.locator('dl.summary').textContent();
  assert.notEqual(moved, before, 'the date or time should have changed');

  await page.getByRole('link', { name: '予約を取り消す' }).click();
  assert.equal(await heading(page), '予約の取消の確認');
  await expectAccessible(browser, page);
  await screenshot(page, '11-cancel');
  await page.getByRole('button', { name: '取り消す' }).click();
  assert.equal(await page.locator('.notice').textContent(), '予約を取り消しました。');
  assert.equal(await page.locator('.booking-code .status').textContent(), '取消済み');
  assert.equal(await page.getByRole('link', { name: '予約を取り消す' }).count(), 0);
  await expectAccessible(browser, page);

  const api = await fetch(`${server.base}/api/v1/demo/bookings/${code}`, {
    headers: { 'X-Card-Number': number, 'X-Birth-Date': birthDate },
  });
  assert.equal((await api.json()).status, 'cancelled');
  await context.close();
});

test('a time filled by others during the contact step sends the resident back to that day with a message', async () => {
  const [number, birthDate] = sampleCard('0103', 1);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.base}/demo/book/pickup/`);
  await page.getByLabel('予約番号').fill(number);
  await page.getByLabel('生年月日').fill(birthDate);
  await page.getByRole('button', { name: '次へ進む' }).click();
  await chooseDay(page);
  const choice = page.locator('input[type=radio]:not([disabled])').first();
  const slotId = await choice.getAttribute('value');
  await choice.check();
  await page.getByRole('button', { name: 'この時間にする' }).click();
  assert.equal(await heading(page), '連絡先を入力してください');
  // Meanwhile the hold runs out and other people take every place of that time.
  server.sql(`UPDATE holds SET created_at = now() - interval '20 minutes', expires_at = now() - interval '10 minutes' WHERE slot_id = ${slotId}`);
  const left = Number(server.sql(`SELECT web_capacity - booked FROM slots WHERE id = ${slotId}`));
  for (let i = 0; i < left; i += 1) {
    const response = await fetch(`${server.base}/api/v1/demo/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ slot_id: Number(slotId), procedure: 'apply', contact: { email: `other${i}@example.jp` } }),
    });
    assert.equal(response.status, 201, await response.text());
  }

  // The resident finishes typing and goes on: back to that day's times, with a message.
  await page.getByLabel('メールアドレス').fill('late@example.jp');
  await page.getByRole('button', { name: '次へ進む' }).click();
  assert.equal(await heading(page), '時間を選んでください');
  assert.match(await page.locator('.error-summary').textContent(), /仮押さえの期限が切れました/);
  assert.equal(await page.locator(`input[value="${slotId}"]`).isDisabled(), true);
  await expectAccessible(browser, page);
  await context.close();
});

test('a stale form gets a page that offers to start again', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.base}/demo/book/pickup/`);
  // The session is forgotten (a new browser, a cleared cookie) before the form is sent.
  await context.clearCookies();
  await page.getByLabel('予約番号').fill('1SD-175722');
  await page.getByLabel('生年月日').fill('1961-05-07');
  await page.getByRole('button', { name: '次へ進む' }).click();
  assert.equal(await heading(page), '操作の有効期限が切れました');
  await expectAccessible(browser, page);
  await page.getByRole('link', { name: '最初からやり直す' }).click();
  assert.equal(await heading(page), 'デモ市');
  await context.close();
});
