// The resident's booking and change flows with the server's clock standing at the instants
// where date code breaks: a month's last evening after the cut-off, the evening before the
// year-end closure, the fiscal year's last evening, 2/28 of a leap year, and a Friday
// evening before a long weekend. The clock is moved with Debian's libfaketime for the server
// process only (harness `startServer({ at })`). JavaScript off, a phone-sized window.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PHONE, expectAccessible, launchBrowser, sampleCard, screenshot, startServer } from './support/harness.mjs';

// Location 0102 of the demo city is open on weekdays 9:00–17:00; online booking closes at
// 17:00 the day before, and so do changes.
const INSTANTS = [
  {
    name: 'the last day of a month after the cut-off',
    at: '2026-11-30T18:30:00+09:00',
    month: '2026年12月',
    earliest: '12月2日（水）',
    deadline: '12月1日（火）17時',
    closed: ['12月29日（火）〜12月31日（木）：年末年始'],
  },
  {
    name: '12/28 in the evening, with the year-end closure ahead',
    at: '2026-12-28T19:00:00+09:00',
    month: '2027年1月',
    earliest: '1月4日（月）',
    deadline: '1月3日（日）17時',
    closed: ['1月1日（金）〜1月3日（日）：年末年始', '1月11日（月）：成人の日'],
    screenshots: true,
  },
  {
    name: 'the last evening of the fiscal year (3/31)',
    at: '2027-03-31T18:00:00+09:00',
    month: '2027年4月',
    earliest: '4月2日（金）',
    deadline: '4月1日（木）17時',
    closed: ['4月29日（木）：昭和の日'],
  },
  {
    name: 'the evening of 2/28 in a leap year',
    at: '2028-02-28T19:00:00+09:00',
    month: '2028年3月',
    earliest: '3月1日（水）',
    deadline: '2月29日（火）17時',
    closed: [],
    // The month before holds the leap day, past its cut-off.
    previousMonth: { label: '2028年2月', lastDay: '29', lastDayText: '受付終了' },
  },
  {
    name: 'a Friday evening before a long weekend (Golden Week)',
    at: '2027-04-30T18:00:00+09:00',
    month: '2027年5月',
    earliest: '5月6日（木）',
    deadline: '5月5日（水）17時',
    closed: ['5月3日（月）：憲法記念日', '5月4日（火）：みどりの日', '5月5日（水）：こどもの日'],
  },
];

const heading = (page) => page.getByRole('heading', { level: 1 }).textContent();

for (const instant of INSTANTS) {
  test(`at ${instant.name}, the calendar opens on the first free day and a pickup is booked, moved and kept after Back`, async () => {
    const server = await startServer({ at: instant.at });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext(PHONE);
      const page = await context.newPage();
      const [number, birthDate] = sampleCard('0102', 0);

      await page.goto(`${server.base}/demo/book/pickup/`);
      await page.getByLabel('予約番号').fill(number);
      await page.getByLabel('生年月日').fill(birthDate);
      await page.getByRole('button', { name: '次へ進む' }).click();

      // The calendar: the month of the first free day, that day offered above it, and
      // each closed day with its reason in words.
      assert.equal(await heading(page), '来庁する日を選んでください');
      assert.equal((await page.locator('table.calendar caption').textContent()).trim(), instant.month);
      const earliest = page.getByRole('link', { name: `最短の空き日：${instant.earliest}` });
      assert.equal(await earliest.count(), 1, `the earliest free day ${instant.earliest} is offered`);
      const closedDays = await page.locator('ul.closed-days li').allTextContents();
      for (const line of instant.closed) {
        assert.ok(closedDays.includes(line), `"${line}" among the closed days: ${closedDays.join(' / ')}`);
      }
      const legend = await page.locator('table.calendar').textContent();
      assert.ok(!legend.includes('受付なし'), 'no day is only "not open"');
      await expectAccessible(browser, page);
      if (instant.screenshots) await screenshot(page, '03b-date-year-end');
      if (instant.previousMonth) {
        await page.getByRole('link', { name: '前の月' }).click();
        assert.equal((await page.locator('table.calendar caption').textContent()).trim(), instant.previousMonth.label);
        const cells = page.locator('table.calendar td:has(.day-number)');
        const last = cells.last();
        assert.equal((await last.locator('.day-number').textContent()).trim(), instant.previousMonth.lastDay);
        assert.ok((await last.textContent()).includes(instant.previousMonth.lastDayText));
        // Today (2/28) is marked, in words as well as by its frame.
        const today = page.locator('table.calendar td.today');
        assert.equal((await today.locator('.day-number').textContent()).trim(), '28');
        assert.match(await today.textContent(), /今日/);
        assert.equal(await today.getAttribute('aria-current'), 'date');
        await page.getByRole('link', { name: '次の月' }).click();
      }

      await page.getByRole('link', { name: `最短の空き日：${instant.earliest}` }).click();
      assert.equal(await heading(page), '時間を選んでください');
      await page.locator('input[type=radio]:not([disabled])').first().check();
      await page.getByRole('button', { name: 'この時間にする' }).click();
      await page.getByLabel('メールアドレス').fill('hanako@example.jp');
      await page.getByRole('button', { name: '次へ進む' }).click();
      assert.equal(await heading(page), '予約内容の確認');
      assert.ok((await page.locator('dl.summary').textContent()).includes(instant.earliest.replace(/（.）$/, '')));
      await page.getByRole('button', { name: 'この内容で予約する' }).click();

      // The confirmation states until when the booking can be changed.
      assert.equal(await heading(page), '予約が完了しました');
      const code = (await page.locator('.booking-code .code').textContent()).trim();
      assert.match(await page.locator('.deadline').textContent(), new RegExp(`${instant.deadline}まで`));
      await expectAccessible(browser, page);

      // Back from the confirmation shows the booking again, never a browser error.
      await page.goBack();
      assert.equal(await heading(page), '予約が完了しました');
      assert.equal((await page.locator('.booking-code .code').textContent()).trim(), code);

      // The change flow: the same calendar, with the booking it changes.
      await page.getByRole('link', { name: '予約の確認・変更・取消はこちら' }).click();
      assert.equal(await heading(page), 'ご予約の内容');
      await page.getByRole('link', { name: '日時を変更する' }).click();
      assert.equal(await heading(page), '来庁する日を選んでください');
      assert.match(await page.locator('.current-booking').textContent(), new RegExp(`現在のご予約：.*${instant.earliest.replace(/（.）$/, '')}`));
      assert.equal((await page.locator('table.calendar caption').textContent()).trim(), instant.month);
      assert.equal(await page.locator('table.calendar td.current').count(), 1, 'the booked day is marked');
      await expectAccessible(browser, page);
      if (instant.screenshots) await screenshot(page, '10a-change-date');
      const days = page.locator('table.calendar a');
      assert.ok(await days.count() >= 2, 'another day to move to');
      await days.nth(1).click();
      await page.locator('input[type=radio]:not([disabled])').first().check();
      await page.getByRole('button', { name: 'この時間にする' }).click();
      assert.equal(await heading(page), '日時の変更の確認');
      await page.getByRole('button', { name: '変更する' }).click();
      assert.equal(await heading(page), 'ご予約の内容');
      assert.equal(await page.locator('.notice').textContent(), '日時を変更しました。');
      await context.close();
    } finally {
      await browser.close();
      await server.stop();
    }
  });
}
