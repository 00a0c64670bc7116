// Builds the accessibility report (report.json, shown at /{city}/accessibility) from the
// success criteria (criteria.tsv), the record of checks beyond axe-core
// (manual-checks.tsv) and what axe-core found on every page the browser tests visited
// (target/accessibility-run/*.jsonl, written by tests/support/harness.mjs). `scripts/test`
// runs it after the browser tests; run it by hand with `node frontend/accessibility/build-report.mjs`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

function tsv(file) {
  return readFileSync(path.join(here, file), 'utf8').split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split('\t'));
}

const manual = new Map(tsv('manual-checks.tsv').map(([number, applies, result, method, noteJa, noteEn]) =>
  [number, { applies: applies === 'yes', result, method, noteJa, noteEn }]));

const runFolder = path.join(repoRoot, 'target/accessibility-run');
const visits = existsSync(runFolder)
  ? readdirSync(runFolder).filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(path.join(runFolder, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line))
  : [];
if (visits.length === 0) {
  console.error('no axe-core results under target/accessibility-run: run the browser tests first');
  process.exit(1);
}

// Per criterion ("1.4.3"), how many page checks of its rules passed and failed.
const automated = new Map();
for (const visit of visits) {
  for (const rule of visit.rules) {
    for (const tag of rule.tags) {
      const digits = tag.match(/^wcag(\d)(\d)(\d+)$/);
      if (!digits) continue;
      const number = `${digits[1]}.${digits[2]}.${digits[3]}`;
      const counts = automated.get(number) ?? { passed: 0, violated: 0, rules: new Set() };
      if (rule.outcome === 'passed') counts.passed += 1;
      if (rule.outcome === 'violated') counts.violated += 1;
      if (rule.outcome === 'passed' || rule.outcome === 'violated') counts.rules.add(rule.id);
      automated.set(number, counts);
    }
  }
}

const criteria = tsv('criteria.tsv').map(([number, level, titleJa, titleEn]) => {
  const checked = manual.get(number);
  if (!checked) throw new Error(`manual-checks.tsv has no line for ${number}`);
  const axe = automated.get(number) ?? { passed: 0, violated: 0, rules: new Set() };
  let result = checked.applies ? checked.result : 'not_applicable';
  if (axe.violated > 0) result = 'fail';
  return {
    number, level, title_ja: titleJa, title_en: titleEn, applies: checked.applies, result,
    axe_rules: [...axe.rules].sort(), axe_passed: axe.passed, axe_violated: axe.violated,
    method: checked.method, note_ja: checked.noteJa, note_en: checked.noteEn,
  };
});

// A booking's code in an address stands for any booking's.
const general = (address) => address.replace(/\/[2-9A-HJKMNP-Z]{9}(?=\/|$)/g, '/{code}');
const pages = [...new Map(visits.map((v) => [`${general(v.path)} ${v.lang}`,
  { path: general(v.path), lang: v.lang, title: v.title }])).values()]
  .sort((a, b) => a.path.localeCompare(b.path) || a.lang.localeCompare(b.lang));
const applicable = criteria.filter((c) => c.applies);
const report = {
  standard: 'JIS X 8341-3:2016',
  target_level: 'AA',
  conformance: applicable.every((c) => c.result === 'pass') ? 'full' : 'partial',
  tested_on: new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Tokyo' }).format(new Date()),
  tool: `axe-core ${visits[0].version} in Chromium (Playwright), with JavaScript off on the page under test`,
  technologies: ['HTML', 'CSS'],
  page_checks: visits.length,
  pages,
  criteria,
};
writeFileSync(path.join(here, 'report.json'), `${JSON.stringify(report, null, 1)}\n`);
const failed = criteria.filter((c) => c.result === 'fail').map((c) => c.number);
const open = criteria.filter((c) => c.result === 'unchecked').map((c) => c.number);
console.log(`accessibility report: ${visits.length} page checks, ${pages.length} pages, ` +
  `${criteria.length} criteria (${applicable.length} applicable); failed: ${failed.join(' ') || 'none'}; unchecked: ${open.join(' ') || 'none'}`);
