// The popup that tells a person a direct message has come while its conversation was out of
// sight: who wrote and its first line (and how many more). It is never shown to the one who
// wrote. "Open" shows the conversation; "Later" or Escape closes the popup.

import { inject, onBeforeUnmount, onMounted } from '../../vendor/vue.esm-browser.prod.js';

export const InvitePopup = {
  name: 'InvitePopup',
  setup() {
    const { state, actions } = inject('chat');
    const open = (chatId) => actions.showTab(chatId, true);
    // Escape closes the newest popup, unless it closed something else already (a picker, an
    // edit) or a dialog is open (which Escape closes itself).
    function onKey(event) {
      if (event.key !== 'Escape' || event.defaultPrevented || state.invites.length === 0) return;
      if (document.querySelector('dialog[open]')) return;
      actions.dismissInvite(state.invites[state.invites.length - 1].chatId);
    }
    onMounted(() => document.addEventListener('keydown', onKey));
    onBeforeUnmount(() => document.removeEventListener('keydown', onKey));
    return { state, actions, open };
  },
  template: `
    <div class="invites" aria-live="polite">
      <section v-for="invite in state.invites" :key="invite.chatId" class="invite box"
               :aria-label="'Direct message from ' + invite.fromName">
        <p class="invite-from"><span aria-hidden="true">💬 </span><strong>{{ invite.fromName }}</strong>
          <span v-if="invite.count > 1" class="invite-more">{{ invite.count }} new messages</span></p>
        <p class="invite-text">{{ invite.text }}</p>
        <div class="buttons is-right">
          <button type="button" class="button is-small" @click="actions.dismissInvite(invite.chatId)"
                  aria-keyshortcuts="Escape">Later</button>
          <button type="button" class="button is-small is-primary" @click="open(invite.chatId)">Open</button>
        </div>
      </section>
    </div>`,
};
