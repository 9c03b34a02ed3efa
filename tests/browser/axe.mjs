// axe-core in a Chromium page: the check every view of the client must pass (no serious or
// critical violation of WCAG 2.1 A/AA or axe's best practices).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe on the page as it is; fails listing every serious or critical violation. */
export async function assertAccessible(page, what) {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) allows it.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }),
  );
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n      ${v.nodes.map((n) => n.target.join(' ')).join('\n      ')}`);
  assert.deepEqual(report, [], `${what}: axe found\n  ${report.join('\n  ')}`);
  assert.ok(result.passes.length > 10, `${what}: axe ran its checks`);
}
