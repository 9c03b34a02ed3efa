// The first connection, as a full screen with "Try now" while waiting. A connection lost
// later is the header's quiet status (app-header.js).

import { computed, inject } from '../../vendor/vue.esm-browser.prod.js';

export const ConnectionBanner = {
  name: 'ConnectionBanner',
  setup() {
    const { state, actions } = inject('chat');
    const now = inject('now');
    const seconds = computed(() => Math.max(1, Math.ceil((state.connection.retryAt - now.value) / 1000)));
    return { state, actions, seconds };
  },
  template: `
    <div v-if="!state.started" class="connecting-screen">
      <div class="connecting-card box" role="status">
        <img src="/favicon.svg" alt="" width="56" height="56" class="connecting-logo">
        <template v-if="state.connection.status === 'waiting'">
          <p class="title is-5">{{ state.connection.problem ? 'chatr cannot connect this tab' : "Can't reach chatr right now" }}</p>
          <p v-if="state.connection.problem" class="connection-problem">{{ state.connection.problem }}</p>
          <p>Trying again <span aria-hidden="true">in {{ seconds }} s</span>…</p>
          <button type="button" class="button is-primary" @click="actions.retryNow()">Try now</button>
        </template>
        <template v-else>
          <p class="title is-5">Connecting to chatr…</p>
          <progress class="progress is-small is-primary" max="100" aria-label="Connecting"></progress>
        </template>
      </div>
    </div>`,
};
