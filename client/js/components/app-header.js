// The top bar: the brand, the connection state (always visible: a lost connection is this one
// quiet status, with when the next try is and "Try now", never lines in the chats), the
// signed-in person and sign-out; on a phone, the button that shows or hides the lists.

import { computed, inject } from '../../vendor/vue.esm-browser.prod.js';
import { ProviderIcon } from './provider-icon.js';

export const AppHeader = {
  name: 'AppHeader',
  components: { ProviderIcon },
  props: { sidebarOpen: Boolean },
  emits: ['toggle-sidebar'],
  setup() {
    const { state, actions } = inject('chat');
    const now = inject('now');
    const seconds = computed(() => Math.max(1, Math.ceil((state.connection.retryAt - now.value) / 1000)));
    const status = computed(() => {
      if (state.online) return { kind: 'is-online', text: 'Connected' };
      if (state.connection.status === 'waiting') return { kind: 'is-offline', text: state.started ? 'Offline' : 'Not connected' };
      return { kind: 'is-connecting', text: state.started ? 'Reconnecting…' : 'Connecting…' };
    });
    /** Offline after having been online: when the next try is, and a way to try now. */
    const waiting = computed(() => state.started && !state.online && state.connection.status === 'waiting');
    return { state, actions, status, waiting, seconds };
  },
  template: `
    <header class="app-header">
      <a class="brand" href="/" aria-label="chatr home">
        <img src="/favicon.svg" alt="" width="28" height="28"><span class="brand-name">chatr</span>
      </a>
      <p class="connection-pill" :class="status.kind" role="status">
        <span class="dot" aria-hidden="true"></span>{{ status.text }}
        <span v-if="waiting && state.connection.problem" class="connection-problem">: {{ state.connection.problem }}</span>
        <span v-if="waiting" class="retry-in" aria-hidden="true">· next try in {{ seconds }} s</span>
      </p>
      <button v-if="waiting" type="button" class="button is-small try-now" @click="actions.retryNow()">Try now</button>
      <button v-if="state.started" type="button" class="button is-small sidebar-toggle" aria-controls="sidebar"
              :aria-expanded="sidebarOpen ? 'true' : 'false'" @click="$emit('toggle-sidebar')">
        {{ sidebarOpen ? 'Hide lists' : 'Chats & people' }}
      </button>
      <div class="header-end">
        <button v-if="state.notifications === 'default'" type="button" class="button is-small notify"
                title="Get a browser notification of direct messages and mentions while chatr is in the background"
                @click="actions.enableNotifications()">Notify me</button>
        <p class="who">
          <provider-icon :provider="state.me.identityProvider"></provider-icon>
          <span class="is-sr-only">Signed in as</span>
          <span class="who-name">{{ state.users[state.me.userId]?.userName ?? state.me.userDetails }}</span>
        </p>
        <a class="button is-small sign-out" href="/logout">Sign out</a>
      </div>
    </header>`,
};
