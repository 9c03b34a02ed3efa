// Makes the README's screenshot (docs/chatr-chat.png): a `chatr dev` of its own, three people
// in Chromium, a group chat with one sender's messages grouped, a link and a mention, the
// direct-message list with an unread conversation, and someone typing. Run it after a
// `cargo build` (it starts target/debug/chatr, or CHATR_BIN): `node scripts/readme-screenshot.mjs`.

import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, startChatr } from '../tests/browser/harness.mjs';
import { arrive } from '../tests/browser/people.mjs';

const chatr = await startChatr();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const alice = await arrive(browser, chatr.base, 'alice');
  const bob = await arrive(browser, chatr.base, 'bob');
  const carol = await arrive(browser, chatr.base, 'carol', { provider: 'aad' });
  await alice.createChat('Weekend hike');
  await bob.join('Weekend hike');
  await carol.join('Weekend hike');
  await alice.say('Who is in for Saturday?');
  await alice.say('Trail map: https://example.org/trails/ridge-loop');
  await bob.say('Count me in!');
  await bob.say('I can drive two people.');
  const box = carol.pane().locator('textarea.composer-input');
  await box.pressSequentially('Me too, thanks @bo');
  await carol.page.locator('.mention-picker').getByRole('option', { name: /bob/ }).waitFor();
  await box.press('Enter'); // picks bob
  await box.press('Enter'); // sends
  await box.pressSequentially('I will bring snacks');
  await box.press('Enter');
  await alice.message('carol', 'I will bring snacks').waitFor();
  await carol.user('alice').locator('button').click();
  await carol.tab('Chat with alice').and(carol.page.locator('[aria-selected="true"]')).waitFor();
  await carol.say('Can I borrow your poles?');
  await alice.direct('carol').locator('.unread').waitFor();
  await alice.page.keyboard.press('Escape');
  // bob typed a moment ago, and a client says so again only 2 s after its last (3 s while typing on).
  await new Promise((resolve) => setTimeout(resolve, 3100));
  await bob.pane().locator('textarea.composer-input').pressSequentially('Leaving at 8');
  await alice.pane().getByText('bob is typing…').waitFor();
  await alice.page.screenshot({ path: join(ROOT, 'docs', 'chatr-chat.png') });
  console.log('docs/chatr-chat.png written');
} finally {
  await browser.close();
  await chatr.stop();
}
