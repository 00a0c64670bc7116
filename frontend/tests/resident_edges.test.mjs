// What residents hit on their first day: Back after booking, addresses that do not exist,
// the database gone, booking the same thing twice, and a cancelled booking. A phone-sized
// window; JavaScript off unless a test says otherwise. Every page passes axe-core.
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

/** Books a pickup of the card through the pages; returns its code. */
async function bookPickup(page, [number, birthDate]) {
  await page.goto(`${server.base}/demo/book/pickup/`);
  await page.getByLabel('予約番号').fill(number);
  await page.getByLabel('生年月日').fill(birthDate);
  await page.getByRole('button', { name: '次へ進む' }).click();
  await chooseDay(page);
  await page.locator('input[type=radio]:not([disabled])').first().check();
  await page.getByRole('button', { name: 'この時間にする' }).click();
  await page.getByLabel('メールアドレス').fill('edge@example.jp');
  await page.getByRole('button', { name: '次へ進む' }).click();
  await page.getByRole('button', { name: 'この内容で予約する' }).click();
  assert.equal(await heading(page), '予約が完了しました');
  return (await page.locator('.booking-code .code').textContent()).trim();
}

for (const javaScriptEnabled of [false, true]) {
  test(`Back on the confirmation (JavaScript ${javaScriptEnabled ? 'on' : 'off'}) shows the booking again, three times over`, async () => {
    const context = await browser.newContext({ ...PHONE, javaScriptEnabled });
    const page = await context.newPage();
    const code = await bookPickup(page, sampleCard('0104', javaScriptEnabled ? 1 : 0));
    for (let press = 1; press <= 3; press += 1) {
      const response = await page.goBack();
      assert.ok(response === null || response.status() < 400, `press ${press}: ${response?.status()}`);
      const shown = await heading(page);
      assert.ok(['予約が完了しました', '交付通知書の番号を入力してください'].includes(shown), `press ${press}: ${shown}`);
      if (shown === '予約が完了しました') {
        assert.equal((await page.locator('.booking-code .code').textContent()).trim(), code);
      }
      await expectAccessible(browser, page);
    }
    // Exactly one booking came of it.
    assert.equal(server.sql(`SELECT count(*) FROM bookings WHERE contact_email = 'edge@example.jp' AND code = '${code.replaceAll('-', '')}'`), '1');
    await context.close();
  });
}

test('after a failed submit, focus is on the error summary, and the focus ring stands out', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.base}/demo/book/pickup/`);
  await page.getByRole('button', { name: '次へ進む' }).click();
  const summary = page.locator('.error-summary');
  assert.equal(await summary.evaluate((element) => element === document.activeElement), true);
  assert.match(await summary.textContent(), /予約番号を入力してください。.*生年月日を入力してください。/s);
  // Tab goes on to the first problem's link, whose ring is near-black (17:1 on white).
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  assert.equal(await focused.textContent(), '予約番号を入力してください。');
  const ring = await focused.evaluate((element) => {
    const style = getComputedStyle(element);
    return `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
  });
  assert.equal(ring, 'solid 3px rgb(26, 26, 26)');
  await expectAccessible(browser, page);
  await context.close();
});

test('addresses that do not exist get a page in the site\'s layout, in the reader\'s language', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const cases = [
    [`${server.base}/demo/nonexistent`, 404, 'ページが見つかりません', '予約サイトのトップページへ'],
    [`${server.base}/othercity/`, 404, '自治体が見つかりません。', '自治体の一覧へ'],
    [`${server.base}/demo/nonexistent?lang=en`, 404, 'Page not found', 'Go to the booking start page'],
  ];
  for (const [url, status, title, way] of cases) {
    const response = await page.goto(url);
    assert.equal(response.status(), status, url);
    assert.match(response.headers()['content-type'], /^text\/html/);
    assert.equal(await heading(page), title);
    await expectAccessible(browser, page);
    if (url.endsWith('/demo/nonexistent')) await screenshot(page, '14-not-found');
    await page.getByRole('link', { name: way }).click();
    assert.ok((await page.getByRole('heading', { level: 1 }).count()) === 1, 'the way on leads to a page');
  }
  await context.close();
});

test('a card booked already is said at the first step, with the way to its booking and the hold given back', async () => {
  const card = sampleCard('0105', 0);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const code = await bookPickup(page, card);

  // Later, not knowing it is booked, the same resident starts again.
  const again = await browser.newContext(PHONE);
  const second = await again.newPage();
  await second.goto(`${server.base}/demo/book/pickup/`);
  await second.getByLabel('予約番号').fill(card[0]);
  await second.getByLabel('生年月日').fill(card[1]);
  await second.getByRole('button', { name: '次へ進む' }).click();
  assert.equal(await heading(second), 'この手続きはすでに予約されています');
  assert.match(await second.locator('main').textContent(), /0120-000-000/);
  await expectAccessible(browser, second);
  await screenshot(second, '12-already-booked');
  await second.getByRole('link', { name: '今ある予約を見る' }).click();
  assert.equal(await heading(second), 'ご予約の内容');
  assert.equal((await second.locator('.booking-code .code').textContent()).trim(), code);
  await again.close();

  // An application under an address already booked for it: refused at the contact step,
  // and the time chosen is free again at once.
  const apply = await browser.newContext(PHONE);
  const third = await apply.newPage();
  for (const round of [1, 2]) {
    await third.goto(`${server.base}/demo/book/apply/`);
    await third.getByLabel(/デモ市役所 北支所/).check();
    await third.getByRole('button', { name: '次へ進む' }).click();
    await chooseDay(third);
    await third.locator('input[type=radio]:not([disabled])').first().check();
    await third.getByRole('button', { name: 'この時間にする' }).click();
    await third.getByLabel('メールアドレス').fill(round === 1 ? 'twice@example.jp' : 'TWICE@example.JP');
    await third.getByRole('button', { name: '次へ進む' }).click();
    if (round === 1) {
      await third.getByRole('button', { name: 'この内容で予約する' }).click();
      assert.equal(await heading(third), '予約が完了しました');
      await apply.clearCookies();
    }
  }
  assert.equal(await heading(third), 'この手続きはすでに予約されています');
  assert.equal(server.sql('SELECT count(*) FROM holds'), '0', 'no place is held for the refused attempt');
  await expectAccessible(browser, third);
  await third.getByRole('link', { name: '予約の確認・変更・取消のページへ' }).click();
  assert.equal(await heading(third), '予約の確認・変更・取消');
  await apply.close();
  await context.close();
});

test('a cancelled booking says so, drops what is needed for a visit, and cannot start a change', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const code = await bookPickup(page, sampleCard('0105', 1));
  await page.getByRole('link', { name: '予約の確認・変更・取消はこちら' }).click();
  const bookingUrl = page.url();
  await page.getByRole('link', { name: '予約を取り消す' }).click();
  await page.getByRole('button', { name: '取り消す' }).click();

  assert.equal(await heading(page), 'この予約は取り消されています');
  assert.equal((await page.locator('.booking-code .code').textContent()).trim(), code);
  assert.equal(await page.locator('img.qr').count(), 0, 'no QR code to show at the counter');
  assert.equal(await page.getByRole('link', { name: /カレンダーに追加/ }).count(), 0);
  assert.doesNotMatch(await page.locator('main').textContent(), /変更の際に必要です/);
  assert.equal(await page.getByRole('link', { name: '日時を変更する' }).count(), 0);
  await expectAccessible(browser, page);
  await screenshot(page, '13-cancelled');

  // The change address, kept from before (a bookmark, Back): refused at the start.
  await page.goto(`${bookingUrl.split('?')[0]}/change`);
  assert.equal(await heading(page), 'この予約は取り消されています');
  assert.equal(await page.locator('.notice').textContent(), 'この予約は取り消されているため、変更できません。');
  assert.equal(server.sql('SELECT count(*) FROM holds'), '0', 'no place is held for it');
  await expectAccessible(browser, page);
  await context.close();
});

// Last: it stops the database of this file's server.
test('while the database is down, pages say so and when to try again', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  server.stopDatabase();
  for (const path of ['/demo/', '/demo/book/pickup/', '/demo/booking']) {
    const response = await page.goto(`${server.base}${path}`);
    assert.equal(response.status(), 503, path);
    assert.match(response.headers()['retry-after'] ?? '', /^\d+$/, path);
    assert.equal(await heading(page), 'ただいま利用できません');
    await expectAccessible(browser, page);
    if (path === '/demo/') await screenshot(page, '15-unavailable');
  }
  await context.close();
});
