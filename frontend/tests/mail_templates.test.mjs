// A city's own e-mail text, end to end in Chromium with JavaScript off: an administrator
// rewrites the confirmation for card pickups, previews it, a resident books a pickup, and
// the message the server writes to var/mail carries the new text. axe-core checks the pages.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  PHONE, chooseDay, expectAccessible, launchBrowser, mailMessages, plainText, repoRoot, sampleCard, screenshot, startServer,
} from './support/harness.mjs';

const DESK = { viewport: { width: 1280, height: 800 }, javaScriptEnabled: false, locale: 'ja-JP' };
const PASSWORD = 'Madoguchi#2026';
const OWN_TEXT = '交付通知書と本人確認書類をお忘れなく。窓口は2階です。';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  server.cli(['staff', 'create', '--tenant', 'demo', '--login', 'admin', '--role', 'admin'], { MADOGUCHI_STAFF_PASSWORD: PASSWORD });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();

/** A resident on a phone books a card pickup at 0102 up to giving `email` (sample card `skip`). */
async function pickupUpToContact(skip, email) {
  const resident = await (await browser.newContext(PHONE)).newPage();
  const [number, birthDate] = sampleCard('0102', skip);
  await resident.goto(`${server.base}/demo/`);
  await resident.getByRole('link', { name: /この手続きを予約する.*受け取り/ }).click();
  await resident.getByLabel('予約番号').fill(number);
  await resident.getByLabel('生年月日').fill(birthDate);
  await resident.getByRole('button', { name: '次へ進む' }).click();
  await chooseDay(resident);
  await resident.locator('input[type=radio]:not([disabled])').first().check();
  await resident.getByRole('button', { name: 'この時間にする' }).click();
  await resident.getByLabel('メールアドレス').fill(email);
  await resident.getByRole('button', { name: '次へ進む' }).click();
  return resident;
}

/** The first message to `address`, waiting a few seconds for the server's mail worker. */
async function deliveredTo(address) {
  for (let i = 0; i < 100; i += 1) {
    const found = mailMessages(server).find(([, raw]) => raw.includes(`To: ${address}`));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`no message to ${address} in var/mail`);
}

test('an administrator rewrites the pickup confirmation and a resident receives the new text', async () => {
  const desk = await (await browser.newContext(DESK)).newPage();
  await desk.goto(`${server.base}/demo/staff/mail/templates?procedure=pickup&kind=confirmation`);
  await desk.getByLabel('ログインID').fill('admin');
  await desk.getByLabel('パスワード').fill(PASSWORD);
  await desk.getByRole('button', { name: 'ログイン' }).click();
  assert.equal(await heading(desk), 'メールの文面');
  await expectAccessible(browser, desk);

  // A typo in a variable is refused with where it is.
  await desk.getByLabel('本文（テキスト）').fill('{% extends "base.txt" %}{% block content %}{{ cod }}{% endblock %}');
  await desk.getByRole('button', { name: 'この文面を保存する' }).click();
  assert.match(await desk.locator('.scan-result').textContent(), /本文（テキスト）の1行目を表示できません/);
  await expectAccessible(browser, desk);

  await desk.getByLabel('本文（テキスト）').fill(`{% extends "base.txt" %}{% block content %}${OWN_TEXT}{% endblock %}`);
  await desk.getByRole('button', { name: '見本で確かめる' }).click();
  const preview = await desk.locator('pre.preview').first().textContent();
  assert.ok(preview.includes(OWN_TEXT) && preview.includes('ABC-DEF-GHJ'), preview);
  await expectAccessible(browser, desk);
  await screenshot(desk, 'mail-01-template-preview');
  await desk.getByRole('button', { name: 'この文面を保存する' }).click();
  assert.match(await desk.locator('.scan-result').textContent(), /保存しました/);

  const resident = await pickupUpToContact(2, 'mail-test@example.jp');
  await resident.getByRole('button', { name: 'この内容で予約する' }).click();
  assert.equal(await heading(resident), '予約が完了しました');

  const delivered = await deliveredTo('mail-test@example.jp');
  const text = plainText(delivered[0]);
  assert.ok(text.includes(OWN_TEXT), text);

  // Staff read the message as written, from the mail page.
  await desk.goto(`${server.base}/demo/staff/mail`);
  await desk.getByRole('row').filter({ hasText: 'mail-test@example.jp' }).getByRole('link', { name: '開く' }).click();
  assert.equal(await heading(desk), '送ったメール');
  const shown = await desk.locator('main').textContent();
  assert.ok(shown.includes('【デモ市】予約を受け付けました') && shown.includes(OWN_TEXT), shown);
  await expectAccessible(browser, desk);
  await screenshot(desk, 'mail-02-sent-message');
});

test('a city that confirms addresses asks for the code from the e-mail before booking', async () => {
  const file = path.join(server.varDir, 'confirming-tenant.toml');
  writeFileSync(file, readFileSync(path.join(repoRoot, 'docs/examples/demo-tenant.toml'), 'utf8')
    .replace('confirm_email = false', 'confirm_email = true'));
  server.cli(['tenant', 'apply', file]);

  const resident = await pickupUpToContact(3, 'code-test@example.jp');
  assert.equal(await heading(resident), 'メールアドレスの確認');
  assert.match(await resident.getByRole('status').textContent(), /code-test@example\.jp に確認コード/);
  await expectAccessible(browser, resident);

  // A wrong code is named as such, with the tries left.
  await resident.getByLabel('確認コード').fill('000000');
  await resident.getByRole('button', { name: '次へ進む' }).click();
  const wrong = await resident.locator('.error').first().textContent();
  const [mailFile] = await deliveredTo('code-test@example.jp');
  const code = plainText(mailFile).match(/確認コード \/ Code: (\d{6})/)[1];
  if (code !== '000000') assert.match(wrong, /確認コードが違います。あと4回/);
  await expectAccessible(browser, resident);
  await screenshot(resident, '05c-email-code');

  await resident.getByLabel('確認コード').fill(code);
  await resident.getByRole('button', { name: '次へ進む' }).click();
  assert.equal(await heading(resident), '予約内容の確認');
  await resident.getByRole('button', { name: 'この内容で予約する' }).click();
  assert.equal(await heading(resident), '予約が完了しました');
  const stored = server.sql("SELECT count(*) FROM bookings WHERE contact_email = 'code-test@example.jp'");
  assert.equal(stored, '1');
});
