// The popup that tells a person someone has opened a private chat with them.

import { inject } from '../../vendor/vue.esm-browser.prod.js';

export const InvitePopup = {
  name: 'InvitePopup',
  setup() {
    const { state, actions } = inject('chat');
    const open = (chatId) => actions.showTab(chatId, true);
    return { state, actions, open };
  },
  template: `
    <div class="invites" aria-live="assertive">
      <section v-for="invite in state.invites" :key="invite.chatId" class="invite box"
               :aria-label="'Private chat from ' + invite.fromName">
        <p class="invite-text"><span aria-hidden="true">💬 </span><strong>{{ invite.fromName }}</strong> wants to chat with you.</p>
        <div class="buttons is-right">
          <button type="button" class="button is-small" @click="actions.dismissInvite(invite.chatId)">Later</button>
          <button type="button" class="button is-small is-primary" @click="open(invite.chatId)">Open chat</button>
        </div>
      </section>
    </div>`,
};
