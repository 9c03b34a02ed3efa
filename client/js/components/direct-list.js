// "Direct messages": our private conversations, with who is online and unread counts, and a
// button that starts one with anyone who has signed in here. A conversation shows once
// something is said in it; one closed by the user leaves the list until its next message.

import { inject } from '../../vendor/vue.esm-browser.prod.js';
import { directDetails } from '../names.js';
import { findTab } from '../state.js';
import { UnreadBadge } from './unread-badge.js';

export const DirectList = {
  name: 'DirectList',
  components: { UnreadBadge },
  emits: ['new', 'picked'],
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions };
  },
  computed: {
    conversations() {
      return Object.values(this.state.direct)
        .filter((d) => this.listed(d))
        .map((d) => ({ ...d, presence: this.presence(d.with) }))
        .sort((a, b) => a.withName.localeCompare(b.withName));
    },
    /** Two conversations with people of the same name: told apart by provider or short id. */
    details() {
      return directDetails(this.state.direct, this.state.users);
    },
  },
  methods: {
    /**
     * Listed once something was said in it (unread, or read before), while its tab is open, or
     * when we opened it: someone who only opened a conversation with us has said nothing yet.
     * Closed ones wait for their next message.
     */
    listed(d) {
      if (findTab(this.state, d.id) || this.unread(d.id) > 0) return true;
      return !this.state.hidden[d.id] && (!!d.readUpTo || !!d.opened);
    },
    unread(id) {
      return findTab(this.state, id)?.unread ?? this.state.direct[id]?.unread ?? 0;
    },
    /** 'here', 'away', 'offline', or 'unknown' while we are not connected. */
    presence(userId) {
      if (!this.state.online) return 'unknown';
      const user = this.state.users[userId];
      if (!user) return 'offline';
      return user.idle ? 'away' : 'here';
    },
    presenceWords(presence) {
      return { here: 'online', away: 'away', offline: 'offline', unknown: 'presence unknown while offline' }[presence];
    },
    open(id) {
      this.actions.openDirect(id);
      this.$emit('picked');
    },
  },
  template: `
    <section class="side-section" aria-labelledby="direct-heading">
      <div class="side-head">
        <h2 id="direct-heading" class="side-title">Direct messages</h2>
        <button type="button" class="button is-small is-light new-direct" aria-label="New direct message"
                title="New direct message" @click="$emit('new')">
          <span aria-hidden="true">+</span>&nbsp;New
        </button>
      </div>
      <p v-if="conversations.length === 0" class="side-empty">No conversations yet. Start one with anyone here.</p>
      <ul v-else class="side-list direct-list">
        <li v-for="d in conversations" :key="d.id" class="side-item direct" :class="{ 'is-active': state.activeId === d.id }">
          <button type="button" class="side-button" :aria-current="state.activeId === d.id ? 'true' : null"
                  :title="'Conversation with ' + d.withName" @click="open(d.id)">
            <span class="presence" :class="'is-' + d.presence" aria-hidden="true"></span>
            <span class="side-name">{{ d.withName }}</span>
            <span v-if="details[d.id]" class="name-detail">{{ details[d.id] }}</span>
            <span class="is-sr-only">, {{ presenceWords(d.presence) }}</span>
            <unread-badge :count="unread(d.id)"></unread-badge>
          </button>
        </li>
      </ul>
    </section>`,
};
