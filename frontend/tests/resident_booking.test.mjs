// A resident books a card pickup on a phone with JavaScript off, from the start page to
// the confirmation; every page passes axe-core's WCAG 2.0 A/AA rules.
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

test('a resident books a card pickup from the start page to the confirmation', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const [number, birthDate] = sampleCard('0101', 0);

  await page.goto(`${server.base}/demo/`);
  await expectAccessible(browser, page);
  await screenshot(page, '01-start');
  await page.getByRole('link', { name: /この手続きを予約する.*受け取り/ }).click();

  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '交付通知書の番号を入力してください');
  await expectAccessible(browser, page);
  await screenshot(page, '02-identify');
  // Typed as people type it: lower case, no hyphen.
  await page.getByLabel('予約番号').fill(number.replace('-', '').toLowerCase());
  await page.getByLabel('生年月日').fill(birthDate);
  await page.getByRole('button', { name: '次へ進む' }).click();

  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '来庁する日を選んでください');
  await expectAccessible(browser, page);
  await screenshot(page, '03-date');
  await chooseDay(page);

  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '時間を選んでください');
  await expectAccessible(browser, page);
  await screenshot(page, '04-time');
  const firstFree = page.locator('input[type=radio]:not([disabled])').first();
  const chosenTime = (await page.locator(`label[for="${await firstFree.getAttribute('id')}"] .time`).textContent()).trim();
  await firstFree.check();
  await page.getByRole('button', { name: 'この時間にする' }).click();

  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '連絡先を入力してください');
  assert.match(await page.locator('.notice').textContent(), /\d\d:\d\dまでこの時間を仮押さえしています/);
  await expectAccessible(browser, page);
  await screenshot(page, '05-contact');
  await page.getByLabel('メールアドレス').fill('not an address');
  await page.getByRole('button', { name: '次へ進む' }).click();
  // Back on the same page with the value kept and the error linked from the summary.
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '連絡先を入力してください');
  assert.equal(await page.getByLabel('メールアドレス').inputValue(), 'not an address');
  await page.getByRole('link', { name: 'メールアドレスを taro@example.jp の形で入力してください。' }).isVisible();
  await expectAccessible(browser, page);
  await screenshot(page, '05b-contact-error');
  await page.getByLabel('メールアドレス').fill('taro@example.jp');
  await page.getByRole('button', { name: '次へ進む' }).click();

  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '予約内容の確認');
  const summary = await page.locator('dl.summary').textContent();
  assert.ok(summary.includes(chosenTime), `the summary shows ${chosenTime}: ${summary}`);
  assert.ok(summary.includes('taro@example.jp'));
  await expectAccessible(browser, page);
  await screenshot(page, '06-check');
  await page.getByRole('button', { name: 'この内容で予約する' }).click();

  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '予約が完了しました');
  const code = (await page.locator('.booking-code .code').textContent()).trim();
  assert.match(code, /^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
  await expectAccessible(browser, page);
  await screenshot(page, '07-done');

  // The QR code and the calendar file belong to the booking.
  const qrSrc = await page.locator('img.qr').getAttribute('src');
  const qr = await context.request.get(new URL(qrSrc, page.url()).href);
  assert.equal(qr.headers()['content-type'], 'image/svg+xml');
  assert.match(await qr.text(), /<svg/);
  const ics = await context.request.get(new URL(await page.getByRole('link', { name: /カレンダーに追加する/ }).getAttribute('href'), page.url()).href);
  const calendar = await ics.text();
  assert.match(calendar, /^BEGIN:VCALENDAR\r\n/);
  assert.ok(calendar.replaceAll('\r\n ', '').includes(`UID:${code.replaceAll('-', '')}@demo.madoguchi`));

  // The booking is real: the API shows it to its owner.
  const response = await fetch(`${server.base}/api/v1/demo/bookings/${code}`, {
    headers: { 'X-Card-Number': number, 'X-Birth-Date': birthDate },
  });
  assert.equal(response.status, 200);
  assert.equal((await response.json()).status, 'booked');
  await context.close();
});

test('a wrong birth date shows an error, and the sixth try is locked out', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const [number] = sampleCard('0102', 0);
  await page.goto(`${server.base}/demo/book/pickup/`);
  for (let attempt = 1; attempt <= 6; attempt += 1) {
    await page.getByLabel('予約番号').fill(number);
    await page.getByLabel('生年月日').fill('1900-01-01');
    await page.getByRole('button', { name: '次へ進む' }).click();
    const summary = await page.locator('.error-summary').textContent();
    if (attempt < 5) {
      assert.ok(summary.includes('番号と生年月日が一致しません'), `attempt ${attempt}: ${summary}`);
    } else {
      assert.ok(summary.includes('受付を停止しています'), `attempt ${attempt}: ${summary}`);
    }
  }
  await expectAccessible(browser, page);
  await context.close();
});

test('a phone set to English opens in English, and a language chosen is kept', async () => {
  const context = await browser.newContext({ ...PHONE, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${server.base}/demo/book/apply/`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Choose a counter');
  await page.getByRole('link', { name: '日本語' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '窓口を選んでください');
  await page.goto(`${server.base}/demo/book/apply/`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '窓口を選んでください');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  await expectAccessible(browser, page);
  await context.close();
});

test('the English switch keeps the page', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.base}/demo/book/apply/`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), '窓口を選んでください');
  await page.getByRole('link', { name: 'English' }).click();
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Choose a counter');
  assert.match(page.url(), /\/demo\/book\/apply\/location\?lang=en$/);
  await expectAccessible(browser, page);
  await context.close();
});
