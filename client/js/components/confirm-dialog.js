// A yes/no question in a modal dialog; the safe answer has the focus first. `ask({title,
// message, confirmLabel})` opens it and resolves to true (confirmed) or false.

import { nextTick } from '../../vendor/vue.esm-browser.prod.js';

export const ConfirmDialog = {
  name: 'ConfirmDialog',
  data() {
    return { title: '', message: '', confirmLabel: '', confirmed: false, returnTo: null, answer: null };
  },
  methods: {
    ask({ title, message, confirmLabel }) {
      const dialog = this.$refs.dialog;
      if (dialog.open) return Promise.resolve(false);
      Object.assign(this, { title, message, confirmLabel, confirmed: false, returnTo: document.activeElement });
      dialog.showModal();
      nextTick(() => this.$refs.cancel.focus());
      return new Promise((resolve) => (this.answer = resolve));
    },
    confirm() {
      this.confirmed = true;
      this.$refs.dialog.close();
    },
    closed() {
      this.returnTo?.focus?.();
      this.answer?.(this.confirmed);
      this.answer = null;
    },
  },
  template: `
    <dialog ref="dialog" class="chat-dialog" role="alertdialog" aria-labelledby="confirm-title"
            aria-describedby="confirm-message" @close="closed">
      <div class="dialog-body">
        <h2 id="confirm-title" class="title is-5">{{ title }}</h2>
        <p id="confirm-message" class="block">{{ message }}</p>
        <div class="buttons is-right">
          <button ref="cancel" type="button" class="button" @click="$refs.dialog.close()">Cancel</button>
          <button type="button" class="button is-danger" @click="confirm">{{ confirmLabel }}</button>
        </div>
      </div>
    </dialog>`,
};
