// The top bar: the brand, the connection state (always visible), the signed-in person and
// sign-out; on a phone, the button that shows or hides the chat and people lists.

import { computed, inject } from '../../vendor/vue.esm-browser.prod.js';
import { ProviderIcon } from './provider-icon.js';

export const AppHeader = {
  name: 'AppHeader',
  components: { ProviderIcon },
  props: { sidebarOpen: Boolean },
  emits: ['toggle-sidebar'],
  setup() {
    const { state, actions } = inject('chat');
    const status = computed(() => {
      if (state.online) return { kind: 'is-online', text: 'Connected' };
      if (state.connection.status === 'waiting') return { kind: 'is-offline', text: 'Offline' };
      return { kind: 'is-connecting', text: 'Connecting…' };
    });
    return { state, actions, status };
  },
  template: `
    <header class="app-header">
      <a class="brand" href="/" aria-label="chatr home">
        <img src="/favicon.svg" alt="" width="28" height="28"><span class="brand-name">chatr</span>
      </a>
      <p class="connection-pill" :class="status.kind" aria-live="polite">
        <span class="dot" aria-hidden="true"></span>{{ status.text }}
      </p>
      <button v-if="state.started" type="button" class="button is-small sidebar-toggle" aria-controls="sidebar"
              :aria-expanded="sidebarOpen ? 'true' : 'false'" @click="$emit('toggle-sidebar')">
        {{ sidebarOpen ? 'Hide lists' : 'Chats & people' }}
      </button>
      <div class="header-end">
        <button v-if="state.notifications === 'default'" type="button" class="button is-small notify"
                title="Get a browser notification when someone starts a private chat while chatr is in the background"
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
