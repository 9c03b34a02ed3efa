// The cap on one user's connections, as a person meets it (chatr dev with
// CHATR_MAX_CONNECTIONS_PER_USER=1): a second tab says why it cannot connect, in the server's
// words, and connects once the first tab is closed.

import { describe, test } from 'node:test';
import { chromiumSuite } from './harness.mjs';
import { arrive } from './people.mjs';

describe('the connection cap in Chromium', () => {
  const people = [];
  const suite = chromiumSuite(() => people, { env: { CHATR_MAX_CONNECTIONS_PER_USER: '1' } });

  test('a tab past the cap says why and connects once another tab closes', async () => {
    const { browser, chatr } = suite;
    const observer = await arrive(browser, chatr.base, 'olga');
    const pat = await arrive(browser, chatr.base, 'pat');
    people.push(observer, pat);
    await observer.user('pat').waitFor();

    const second = await pat.context.newPage();
    await second.goto(`${chatr.base}/`);
    const screen = second.getByRole('status');
    await screen.getByText('chatr cannot connect this tab').waitFor();
    await screen.getByText(/too many tabs or devices \(at most 1\)/).waitFor();

    await pat.page.close();
    await observer.user('pat').waitFor({ state: 'detached' });
    await second.getByRole('button', { name: 'Try now' }).click();
    await second.locator('.connection-pill.is-online').waitFor();
  });
});
