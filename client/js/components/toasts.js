// Short messages at the bottom of the screen, read out politely by screen readers.

import { inject } from '../../vendor/vue.esm-browser.prod.js';

export const Toasts = {
  name: 'Toasts',
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions };
  },
  template: `
    <div class="toasts" role="status" aria-live="polite">
      <div v-for="t in state.toasts" :key="t.key" class="notification toast" :class="'is-' + t.kind + ' is-light'">
        <button class="delete" type="button" aria-label="Dismiss" @click="actions.dismissToast(t.key)"></button>
        {{ t.text }}
      </div>
    </div>`,
};
