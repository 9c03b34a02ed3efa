// The main page's entry point: who is signed in (nobody: the login page), then the app.
// No top-level await, so that every browser runs it.

import { createApp } from '../vendor/vue.esm-browser.prod.js';
import { fetchMe } from './api.js';
import { App } from './components/app.js';
import { createSession } from './session.js';
import { readSettings } from './settings.js';

function showBootError(text) {
  const box = document.getElementById('boot') ?? document.body.appendChild(document.createElement('p'));
  box.textContent = text;
  box.classList.add('boot-error');
}

async function main() {
  let me;
  try {
    me = await fetchMe();
  } catch {
    me = undefined;
  }
  if (me === undefined) {
    showBootError('chatr cannot reach its server right now. Please reload the page in a moment.');
    return;
  }
  if (me === null) {
    window.location.assign('/login.html');
    return;
  }
  const session = createSession(me, readSettings(window.location.search));
  createApp(App).provide('chat', session).mount('#app');
  session.start();
}

main().catch(() => showBootError('chatr could not start. Please reload the page.'));
