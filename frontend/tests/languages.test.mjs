// Every language a resident can choose: the card pickup booked from the start page to the
// confirmation on a 375 px phone with JavaScript off, every page free of axe-core
// violations, in its own language, with no catalogue key and, outside Japanese, no
// sentence of the Japanese catalogue left on it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { PHONE, chooseDay, expectAccessible, launchBrowser, sampleCard, startServer } from './support/harness.mjs';

const locales = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'locales');

/** The one-line messages of a catalogue file: id → text. */
function messages(file) {
  const found = new Map();
  for (const line of readFileSync(path.join(locales, file), 'utf8').split('\n')) {
    const message = line.match(/^([a-z][a-z0-9_]*) = (.*)$/);
    if (message) found.set(message[1], message[2]);
  }
  return found;
}

const japanese = messages('ja/resident.ftl');
// Message ids with an underscore cannot be mistaken for words of a page.
const keys = [...japanese.keys(), ...messages('ja/console.ftl').keys()].filter((k) => k.includes('_'));
const sentences = [...japanese.values()].filter((v) => v.includes('。') && !v.includes('{'));

// [code in the address, the page's lang attribute]
const LANGUAGES = [
  ['ja', 'ja'], ['ja-easy', 'ja'], ['en', 'en'], ['pt-BR', 'pt-BR'],
  ['vi', 'vi'], ['zh-Hans', 'zh-Hans'], ['ko', 'ko'], ['tl', 'tl'],
];

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

async function checkPage(page, code, htmlLang) {
  const where = `${code} ${new URL(page.url()).pathname}`;
  assert.equal(await page.getAttribute('html', 'lang'), htmlLang, where);
  const text = await page.locator('body').innerText();
  for (const key of keys) {
    assert.ok(!new RegExp(`\\b${key}\\b`).test(text), `${where}: the message id ${key} shows`);
  }
  if (!code.startsWith('ja')) {
    for (const sentence of sentences) {
      assert.ok(!text.includes(sentence), `${where}: a Japanese sentence shows: ${sentence}`);
    }
  }
  await expectAccessible(browser, page);
}

async function submit(page) {
  await page.locator('main form button[type=submit]').last().click();
}

LANGUAGES.forEach(([code, htmlLang], place) => {
  test(`a card pickup is booked in ${code}`, async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const [number, birthDate] = sampleCard('0101', place + 2);

    await page.goto(`${server.base}/demo/?lang=${code}`);
    await checkPage(page, code, htmlLang);
    // The switch offers every other language by its own name.
    assert.equal(await page.locator('a.lang-switch').count(), LANGUAGES.length - 1);
    await page.locator('a[href^="/demo/book/pickup/"]').first().click();

    await checkPage(page, code, htmlLang);
    await page.locator('#number').fill(number);
    await page.locator('#birth_date').fill(birthDate);
    await submit(page);

    await checkPage(page, code, htmlLang);
    await chooseDay(page);

    await checkPage(page, code, htmlLang);
    await page.locator('input[type=radio]:not([disabled])').first().check();
    await submit(page);

    await checkPage(page, code, htmlLang);
    await page.locator('#email').fill('not an address');
    await submit(page);
    // The refusal is in the page's language too.
    assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');
    await checkPage(page, code, htmlLang);
    await page.locator('#email').fill(`resident.${place}@example.jp`);
    await submit(page);

    await checkPage(page, code, htmlLang);
    await submit(page);

    const bookingCode = (await page.locator('.booking-code .code').textContent()).trim();
    assert.match(bookingCode, /^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
    await checkPage(page, code, htmlLang);
    await context.close();
  });
});
