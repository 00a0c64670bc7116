// The settings console as an administrator uses it, with the server's clock at Tuesday
// 1 December 2026, 13:30 in Tokyo: a capacity change scheduled from Monday 14 December
// that residents see from that day only, and a counter closed on a day with bookings,
// whose residents receive the cancellation with the city's message. JavaScript off, in a
// phone-sized window; axe-core on every page opened.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, expectAccessible, launchBrowser, mailMessages, plainText, screenshot, startServer } from './support/harness.mjs';

const PASSWORD = 'Madoguchi#2026';
const NOW = '2026-12-01T13:30:00+09:00';

let server;
let browser;

before(async () => {
  server = await startServer({ at: NOW });
  browser = await launchBrowser();
  server.cli(['staff', 'create', '--tenant', 'demo', '--login', 'admin', '--role', 'admin'], { MADOGUCHI_STAFF_PASSWORD: PASSWORD });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();
const notice = (page) => page.locator('.scan-result').textContent();

async function adminPage() {
  const page = await (await browser.newContext(PHONE)).newPage();
  await page.goto(`${server.base}/demo/staff/settings`);
  await page.getByLabel('ログインID').fill('admin');
  await page.getByLabel('パスワード').fill(PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
  assert.equal(await heading(page), '設定');
  return page;
}

/** A resident's page of times for an application at `counter` on `day` (YYYY-MM-DD). */
async function timesOn(resident, counter, day) {
  await resident.goto(`${server.base}/demo/book/apply/`);
  await resident.getByLabel(counter).check();
  await resident.getByRole('button', { name: '次へ進む' }).click();
  assert.equal(await heading(resident), '来庁する日を選んでください');
  for (;;) {
    const link = resident.locator(`table.calendar a[href*="${day}"]`);
    if (await link.count() > 0) {
      await link.click();
      break;
    }
    await resident.getByRole('link', { name: '次の月' }).click();
  }
  assert.equal(await heading(resident), '時間を選んでください');
}

/** The messages to `address` whose text has `words`, waiting for the server's mail worker. */
async function mailTo(address, words) {
  for (let i = 0; i < 100; i += 1) {
    const found = mailMessages(server)
      .filter(([, raw]) => raw.includes(`To: ${address}`))
      .map(([file]) => plainText(file))
      .find((text) => text.includes(words));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`no message to ${address} saying ${words} in var/mail`);
}

test('an administrator raises a counter\'s places from a future Monday and residents see them from then', async () => {
  const page = await adminPage();
  await page.getByRole('link', { name: '窓口と受付時間' }).click();
  assert.equal(await heading(page), '窓口と受付時間');
  await expectAccessible(browser, page);
  await page.getByRole('link', { name: 'デモ市役所 北支所' }).click();
  await expectAccessible(browser, page);
  await page.getByRole('link', { name: 'マイナンバーカード窓口（mynumber）' }).click();
  assert.equal(await heading(page), 'レーンの設定');
  await page.getByRole('link', { name: '受付時間の変更を予約する' }).click();
  await expectAccessible(browser, page);

  // A date already past is named at its field.
  await page.getByLabel('適用開始日').fill('2026-11-30');
  await page.getByRole('button', { name: '変更内容を確認する' }).click();
  assert.match(await page.locator('.error-summary').textContent(), /適用開始日は今日以降にしてください/);
  await expectAccessible(browser, page);

  await page.getByLabel('適用開始日').fill('2026-12-14');
  await page.getByLabel('1枠の定員').fill('20');
  await page.getByLabel('うちウェブで受け付ける数').fill('12');
  await page.getByRole('button', { name: '変更内容を確認する' }).click();
  assert.match(await page.locator('pre').textContent(), /timetable from 2026-12-14/);
  assert.match(await page.locator('main').textContent(), /予約枠: 新しく作る \d+件、長さ・定員を変える \d+件/);
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-09-timetable-preview');
  await page.getByRole('button', { name: '保存する' }).click();
  assert.match(await notice(page), /設定を保存しました。/);

  await page.goto(`${server.base}/demo/staff/settings/locations/0102/lanes/mynumber`);
  const versions = await page.locator('table').first().textContent();
  assert.match(versions, /2026年4月1日（水）から（現在）/);
  assert.match(versions, /2026年12月14日（月）から（予定）/);
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-10-timetables');

  const resident = await (await browser.newContext(PHONE)).newPage();
  await timesOn(resident, /デモ市役所 北支所/, '2026-12-11');
  assert.match(await resident.locator('main').textContent(), /残り8人/);
  assert.doesNotMatch(await resident.locator('main').textContent(), /残り12人/);
  await timesOn(resident, /デモ市役所 北支所/, '2026-12-14');
  assert.match(await resident.locator('main').textContent(), /残り12人/);
  await expectAccessible(browser, resident);
});

test('an administrator closes a day with bookings, cancels them with a message, and each resident is mailed it', async () => {
  const residents = ['minami1@example.jp', 'minami2@example.jp'];
  for (const address of residents) {
    const resident = await (await browser.newContext(PHONE)).newPage();
    await timesOn(resident, /デモ市役所 南支所/, '2026-12-16');
    await resident.locator('input[type=radio]:not([disabled])').first().check();
    await resident.getByRole('button', { name: 'この時間にする' }).click();
    await resident.getByLabel('メールアドレス').fill(address);
    await resident.getByRole('button', { name: '次へ進む' }).click();
    await resident.getByRole('button', { name: 'この内容で予約する' }).click();
    assert.equal(await heading(resident), '予約が完了しました');
  }

  const page = await adminPage();
  await page.locator('.console-nav').getByRole('link', { name: '休業日' }).click();
  await page.getByLabel('日付').fill('2026-12-16');
  await page.getByLabel('窓口').selectOption({ label: 'デモ市役所 南支所' });
  await page.getByLabel('理由（住民の画面に表示されます）').fill('空調工事のため');
  await page.getByRole('button', { name: 'この日を休業日にする' }).click();
  assert.match(await page.locator('.error-summary').textContent(), /この期間に予約が2件あります/);
  const listed = await page.locator('table').first().textContent();
  for (const address of residents) assert.ok(listed.includes(address), listed);
  assert.match(listed, /2026年12月16日（水） 09:00/);
  await expectAccessible(browser, page);
  await screenshot(page, 'admin-11-closing-with-bookings');

  // Cancelling needs a message to the residents.
  await page.getByLabel('予約を取り消し、住民にお知らせをメールで送る').check();
  await page.getByRole('button', { name: 'この日を休業日にする' }).click();
  assert.match(await page.locator('.error-summary').textContent(), /住民へのお知らせを500文字以内で入力してください/);
  await expectAccessible(browser, page);
  await page.getByLabel('予約を取り消し、住民にお知らせをメールで送る').check();
  const message = '空調工事のため、12月16日は南支所を休業します。お手数ですが、別の日か本庁舎で予約し直してください。';
  await page.getByLabel('住民へのお知らせ（取り消すときは必須）').fill(message);
  await page.getByRole('button', { name: 'この日を休業日にする' }).click();
  assert.match(await notice(page), /休業日にしました。/);
  assert.match(await page.locator('main').textContent(), /空調工事のため/);

  for (const address of residents) {
    const text = await mailTo(address, '予約を取り消しました');
    assert.ok(text.includes(message), text);
    assert.ok(text.includes('窓口からのお知らせ'), text);
  }
});

test('the pages to add counters, lanes and procedures, and the staff notice board, pass axe and show the notice to staff', async () => {
  const page = await adminPage();
  await page.getByRole('link', { name: '窓口と受付時間' }).click();
  await page.getByRole('link', { name: '窓口を追加する' }).click();
  assert.equal(await heading(page), '窓口を追加する');
  await page.getByRole('button', { name: '変更内容を確認する' }).click();
  assert.match(await page.locator('.error-summary').textContent(), /コードは半角英数字/);
  await expectAccessible(browser, page);

  await page.goto(`${server.base}/demo/staff/settings/locations/0101`);
  assert.equal(await heading(page), '窓口の設定');
  await page.getByLabel('行き方（バス停、階、駐車場など）').fill('デモ駅から徒歩5分。1階の奥です。');
  await page.getByRole('button', { name: '変更内容を確認する' }).click();
  assert.match(await page.locator('pre').textContent(), /access_ja/);
  await expectAccessible(browser, page);
  await page.getByRole('button', { name: '保存する' }).click();
  assert.match(await notice(page), /設定を保存しました。/);
  const resident = await (await browser.newContext(PHONE)).newPage();
  await resident.goto(`${server.base}/demo/`);
  assert.match(await resident.locator('main').textContent(), /デモ駅から徒歩5分。1階の奥です。/);
  await expectAccessible(browser, resident);

  await page.goto(`${server.base}/demo/staff/settings/locations/0101/lanes/new`);
  assert.equal(await heading(page), 'レーンを追加する');
  await expectAccessible(browser, page);
  await page.goto(`${server.base}/demo/staff/settings/procedures/new`);
  assert.equal(await heading(page), '手続きを追加する');
  await expectAccessible(browser, page);

  // The rules and the start page notice, with a refused value shown at its field.
  await page.goto(`${server.base}/demo/staff/settings`);
  await page.getByRole('link', { name: '予約の決まりと連絡先の項目を変更する' }).click();
  await expectAccessible(browser, page);
  await page.getByLabel('時間の仮押さえ（分）').fill('0');
  await page.getByRole('button', { name: '変更内容を確認する' }).click();
  assert.match(await page.locator('.error-summary').textContent(), /時間の仮押さえ（分）は1から60までの数で入力してください。/);
  await expectAccessible(browser, page);
  await page.goto(`${server.base}/demo/staff/settings/texts`);
  assert.equal(await heading(page), '予約サイトのお知らせ');
  await expectAccessible(browser, page);

  await page.goto(`${server.base}/demo/staff/settings/notices`);
  assert.equal(await heading(page), '職員へのお知らせ');
  await page.getByLabel('お知らせ', { exact: true }).fill('12月14日から北支所の定員が20人になります。');
  await page.getByLabel('表示終了（任意）').fill('2026-12-15 17:00');
  await page.getByRole('button', { name: '掲示する' }).click();
  assert.match(await notice(page), /お知らせを掲示しました。/);
  await expectAccessible(browser, page);
  await page.goto(`${server.base}/demo/staff/bookings`);
  assert.match(await page.locator('details.staff-notices').textContent(), /北支所の定員が20人/);
  await expectAccessible(browser, page);
});

test('an administrator writes a procedure name in Vietnamese and a Vietnamese reader sees it; the rest falls back to English', async () => {
  const page = await adminPage();
  await page.getByRole('link', { name: 'ほかの言語の文面' }).click();
  assert.equal(await heading(page), 'ほかの言語の文面');
  await page.getByLabel('言語', { exact: true }).selectOption('vi');
  await page.getByRole('button', { name: '開く' }).click();
  const name = page.getByLabel('マイナンバーカードの申請: 手続きの名前');
  assert.match(await page.locator('#procedure-apply-name-hint').textContent(), /日本語: マイナンバーカードの申請/);
  await name.fill('Đăng ký thẻ My Number');
  await page.getByRole('button', { name: '変更内容を確認する' }).click();
  assert.match(await page.locator('pre').textContent(), /procedure apply name in vi/);
  await expectAccessible(browser, page);
  await page.getByRole('button', { name: '保存する' }).click();
  assert.match(await notice(page), /設定を保存しました。/);

  const resident = await (await browser.newContext(PHONE)).newPage();
  await resident.goto(`${server.base}/demo/?lang=vi`);
  const main = await resident.locator('main').textContent();
  assert.match(main, /Đăng ký thẻ My Number/);
  assert.match(main, /Card pickup/, 'not written in Vietnamese: the English name');
  assert.doesNotMatch(main, /マイナンバーカードの申請/);
  await expectAccessible(browser, resident);
});
