// The checks of the accessibility report that axe-core cannot make, made by a browser:
// the card pickup booked with the keyboard alone, a focus ring on whatever has focus, the
// pages at 200 % text size without horizontal scrolling, and what the accessibility tree
// (which screen readers read) says of the calendar. frontend/accessibility/manual-checks.tsv
// names these tests for the criteria they back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PHONE, expectAccessible, launchBrowser, sampleCard, startServer } from './support/harness.mjs';

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

/** Presses Tab until `locator` has focus (at most `limit` times); fails otherwise. */
async function tabTo(page, locator, limit = 60) {
  for (let presses = 0; presses < limit; presses += 1) {
    if (await locator.evaluate((el) => el === document.activeElement)) return presses;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${locator}`);
}

test('a card pickup is booked with the keyboard alone, the focus always visible', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const [number, birthDate] = sampleCard('0101', 12);
  await page.goto(`${server.base}/demo/?lang=ja`);

  const focusRing = async () => page.evaluate(() => {
    const style = getComputedStyle(document.activeElement);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  });
  await tabTo(page, page.locator('a[href^="/demo/book/pickup/"]').first());
  assert.ok(await focusRing(), 'a focused link shows its ring');
  await page.keyboard.press('Enter');

  await tabTo(page, page.locator('#number'));
  assert.ok(await focusRing(), 'a focused field shows its ring');
  await page.keyboard.type(number);
  await page.keyboard.press('Tab');
  // The hint sits between the fields in the reading order, not in the tab order.
  await tabTo(page, page.locator('#birth_date'), 3);
  await page.keyboard.type(birthDate);
  await page.keyboard.press('Enter');

  await page.locator('table.calendar').waitFor();
  await tabTo(page, page.locator('table.calendar a').first(), 80);
  assert.ok(await focusRing(), 'a focused day shows its ring');
  await page.keyboard.press('Enter');

  await page.locator('input[type=radio]').first().waitFor();
  await tabTo(page, page.locator('input[type=radio]:not([disabled])').first(), 80);
  await page.keyboard.press('Space');
  await tabTo(page, page.locator('main form button[type=submit]').last(), 80);
  assert.ok(await focusRing(), 'a focused button shows its ring');
  await page.keyboard.press('Enter');

  await tabTo(page, page.locator('#email'));
  await page.keyboard.type('keyboard@example.jp');
  await page.keyboard.press('Enter');

  await tabTo(page, page.locator('main form button[type=submit]').last(), 40);
  await page.keyboard.press('Enter');
  const code = (await page.locator('.booking-code .code').textContent()).trim();
  assert.match(code, /^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);

  // No trap: Tab goes through the whole page and back to its start.
  const first = await page.evaluate(() => document.activeElement.tagName);
  let seen = 0;
  for (; seen < 100; seen += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement === document.body)) break;
  }
  assert.ok(seen < 100, `Tab leaves the page's last control (from ${first})`);
  await context.close();
});

test('at 200 % text size the booking pages need no sideways scrolling', async () => {
  // A 375 px phone with text at 200 % lays out like a 188 px wide screen; 320 px is the
  // narrowest that browsers zoom to, and what WCAG's reflow asks for.
  const context = await browser.newContext({ ...PHONE, viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  const widths = async () => page.evaluate(() => {
    document.documentElement.style.fontSize = '200%';
    return [document.documentElement.scrollWidth, document.documentElement.clientWidth];
  });
  const paths = ['ja', 'ja-easy', 'en', 'pt-BR', 'vi', 'zh-Hans', 'ko', 'tl'].flatMap((lang) =>
    ['/demo/', '/demo/book/pickup/', '/demo/booking'].map((page) => `${page}?lang=${lang}`));
  for (const path of paths) {
    await page.goto(`${server.base}${path}`);
    const [scroll, client] = await widths();
    assert.ok(scroll <= client + 1, `${path}: ${scroll} px wide in ${client} px`);
  }
  await context.close();
});

test('the calendar reads as days with their state, in landmarks and headings', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const [number, birthDate] = sampleCard('0101', 13);
  await page.goto(`${server.base}/demo/book/pickup/?lang=ja`);
  await page.locator('#number').fill(number);
  await page.locator('#birth_date').fill(birthDate);
  await page.locator('main form button[type=submit]').last().click();
  await page.locator('table.calendar').waitFor();

  const tree = await page.locator('body').ariaSnapshot();
  assert.match(tree, /- banner:/, tree);
  assert.match(tree, /- main:/, tree);
  assert.match(tree, /- heading "来庁する日を選んでください" \[level=1\]/, tree);
  // Every bookable day is a link whose name says the day and its state in words; the
  // signs (○ △) are left out of what is read.
  const days = await page.locator('table.calendar a').evaluateAll((links) => links.map((a) => a.textContent));
  assert.ok(days.length > 0);
  const names = await page.locator('table.calendar a').evaluateAll((links) =>
    links.map((a) => [...a.childNodes].filter((n) => !(n.getAttribute && n.getAttribute('aria-hidden') === 'true'))
      .map((n) => n.textContent).join(' ').trim()));
  for (const name of names) {
    assert.match(name, /^\d{1,2} .*(空きあり|残りわずか)/, name);
    assert.doesNotMatch(name, /[○△×]/, name);
  }
  // The weekday headings are table headers.
  assert.equal(await page.locator('table.calendar th').count() >= 7, true);
  await context.close();
});

test('the report and the policies linked from every page are accessible themselves', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  for (const lang of ['ja', 'en', 'vi']) {
    await page.goto(`${server.base}/demo/?lang=${lang}`);
    for (const name of ['accessibility', 'accessibility-policy', 'privacy']) {
      await page.goto(`${server.base}/demo/?lang=${lang}`);
      await page.locator(`footer a[href^="/demo/${name}?"]`).click();
      assert.equal(new URL(page.url()).pathname, `/demo/${name}`);
      await expectAccessible(browser, page);
    }
  }
  await page.goto(`${server.base}/demo/accessibility?lang=ja`);
  assert.equal(await page.locator('table.checklist tbody tr').count(), 38);
  await context.close();
});
