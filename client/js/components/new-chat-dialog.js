// The dialog that names a new group chat: Enter creates, Escape or Cancel closes, and the
// focus goes back to where it was. Opened with `open()`.

import { inject, nextTick } from '../../vendor/vue.esm-browser.prod.js';
import { MAX_NAME } from '../actions.js';

export const NewChatDialog = {
  name: 'NewChatDialog',
  setup() {
    return { actions: inject('chat').actions, maxName: MAX_NAME };
  },
  data() {
    return { name: '', error: '', returnTo: null };
  },
  methods: {
    open() {
      const dialog = this.$refs.dialog;
      if (dialog.open) return;
      this.name = '';
      this.error = '';
      this.returnTo = document.activeElement;
      dialog.showModal();
      nextTick(() => this.$refs.input.focus());
    },
    create() {
      if (this.name.trim() === '') {
        this.error = 'Give the chat a name.';
        this.$refs.input.focus();
        return;
      }
      if (this.actions.createChat(this.name)) this.$refs.dialog.close();
    },
    closed() {
      this.returnTo?.focus?.();
    },
  },
  template: `
    <dialog ref="dialog" class="chat-dialog" aria-labelledby="new-chat-title" @close="closed">
      <form class="dialog-body" novalidate @submit.prevent="create">
        <h2 id="new-chat-title" class="title is-5">New group chat</h2>
        <div class="field">
          <label class="label" for="new-chat-name">Chat name</label>
          <div class="control">
            <input id="new-chat-name" ref="input" v-model="name" class="input" :class="{ 'is-danger': error }"
                   type="text" :maxlength="maxName" autocomplete="off" placeholder="e.g. Lunch plans"
                   aria-describedby="new-chat-help" :aria-invalid="error ? 'true' : 'false'" @input="error = ''">
          </div>
          <p id="new-chat-help" class="help" :class="{ 'is-danger': error }">
            {{ error || 'Everyone can see and join it. Up to ' + maxName + ' characters.' }}
          </p>
        </div>
        <div class="buttons is-right">
          <button type="button" class="button" @click="$refs.dialog.close()">Cancel</button>
          <button type="submit" class="button is-primary">Create</button>
        </div>
      </form>
    </dialog>`,
};
