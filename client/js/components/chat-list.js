// The group chats: join one by clicking it, create one, and (owner only) delete one. Each name
// shows in full on hover; chats with the same name are told apart by owner or short id.

import { inject } from '../../vendor/vue.esm-browser.prod.js';
import { chatDetails } from '../names.js';
import { findTab } from '../state.js';
import { UnreadBadge } from './unread-badge.js';

export const ChatList = {
  name: 'ChatList',
  components: { UnreadBadge },
  emits: ['new', 'delete', 'picked'],
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions };
  },
  computed: {
    chats() {
      return Object.values(this.state.chats).sort((a, b) => a.name.localeCompare(b.name));
    },
    details() {
      const me = this.state.me.userId;
      return chatDetails(this.chats, (id) => (id === me ? 'you' : (this.state.users[id]?.userName ?? this.state.names[id] ?? null)));
    },
  },
  watch: {
    // Chats told apart by their owners: owners this page has not met are asked for by id.
    chats: {
      immediate: true,
      handler(chats) {
        const counts = new Map();
        for (const c of chats) counts.set(c.name.toLocaleLowerCase(), (counts.get(c.name.toLocaleLowerCase()) ?? 0) + 1);
        for (const c of chats) if (counts.get(c.name.toLocaleLowerCase()) > 1) this.actions.wantName(c.owner);
      },
    },
  },
  methods: {
    /** A member (membership lasts across reloads), or its tab is open. */
    joined(id) {
      return findTab(this.state, id) !== null || !!this.state.chats[id]?.members?.[this.state.me.userId];
    },
    /** Unread messages of a chat we are in: its tab's count, or the list's. */
    unread(id) {
      return findTab(this.state, id)?.unread ?? this.state.chats[id]?.unread ?? 0;
    },
    /** Of those, the ones that mention us. */
    mentions(id) {
      return findTab(this.state, id)?.mentions ?? this.state.chats[id]?.mentions ?? 0;
    },
    join(id) {
      this.actions.joinChat(id);
      this.$emit('picked');
    },
  },
  template: `
    <section class="side-section" aria-labelledby="chats-heading">
      <div class="side-head">
        <h2 id="chats-heading" class="side-title">Group chats</h2>
        <button type="button" class="button is-small is-primary new-chat" @click="$emit('new')">
          <span aria-hidden="true">+</span>&nbsp;New chat
        </button>
      </div>
      <p v-if="chats.length === 0" class="side-empty">No group chats yet. Create the first one!</p>
      <ul v-else class="side-list chat-list">
        <li v-for="chat in chats" :key="chat.id" class="side-item"
            :class="{ 'is-active': state.activeId === chat.id }">
          <button type="button" class="side-button" :aria-current="state.activeId === chat.id ? 'true' : null"
                  :title="chat.name + (details[chat.id] ? ' (' + details[chat.id] + ')' : '') + (joined(chat.id) ? ', joined' : '')"
                  @click="join(chat.id)">
            <span class="chat-hash" aria-hidden="true">#</span>
            <span class="side-name">{{ chat.name }}</span>
            <span v-if="details[chat.id]" class="name-detail">{{ details[chat.id] }}</span>
            <span v-if="joined(chat.id)" class="is-joined" aria-hidden="true">✓</span>
            <span v-if="joined(chat.id)" class="is-sr-only">, joined</span>
            <unread-badge :count="unread(chat.id)" :mentions="mentions(chat.id)"></unread-badge>
          </button>
          <button v-if="chat.owner === state.me.userId" type="button" class="button is-small delete-chat"
                  :class="{ 'is-loading': state.deleting[chat.id] }" :disabled="state.deleting[chat.id]"
                  :aria-label="'Delete chat ' + chat.name" :title="'Delete chat ' + chat.name" @click="$emit('delete', chat)">
            <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path fill="currentColor"
              d="M6 1h4a1 1 0 0 1 1 1v1h3v1.5H2V3h3V2a1 1 0 0 1 1-1zm0 1.5V3h4v-.5zM3.5 6h9l-.7 8.1a1 1 0 0 1-1 .9H5.2a1 1 0 0 1-1-.9zm3 1.5v5.5h1V7.5zm2 0v5.5h1V7.5z"/></svg>
          </button>
        </li>
      </ul>
    </section>`,
};
