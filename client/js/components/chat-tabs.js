// The open chats as tabs (ARIA tabs: arrow keys, Home and End move between them), each
// with its unread count, over one pane per chat.

import { inject, nextTick } from '../../vendor/vue.esm-browser.prod.js';
import { directDetails } from '../names.js';
import { ChatPane } from './chat-pane.js';
import { UnreadBadge } from './unread-badge.js';

/** An element id made from a chat id (which may hold any character). */
export const domId = (prefix, chatId) => `${prefix}-${chatId.replace(/[^A-Za-z0-9_-]/g, '-')}`;

export const ChatTabs = {
  name: 'ChatTabs',
  components: { ChatPane, UnreadBadge },
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions, domId };
  },
  computed: {
    /** Private chats with people of the same name, told apart on their tabs and headings. */
    details() {
      return directDetails(this.state.direct, this.state.users);
    },
  },
  watch: {
    // A tab closed from inside it (Leave, Close) took the focus with it: the chat now in front
    // takes it, or the chat area when none is left.
    'state.tabs.length'(now, before) {
      if (now >= before) return;
      nextTick(() => {
        if (document.activeElement !== document.body) return;
        if (this.state.activeId !== null) this.state.focusTabId = this.state.activeId;
        else document.getElementById('main')?.focus();
      });
    },
    // The tab in front is always in view, with its neighbours' counts around it (on a phone
    // the strip scrolls).
    'state.activeId': {
      immediate: true,
      handler(id) {
        if (id === null) return;
        nextTick(() => document.getElementById(domId('tab', id))?.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
      },
    },
  },
  methods: {
    onKey(event, index) {
      const tabs = this.state.tabs;
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const tab = tabs[(moves[event.key] + tabs.length) % tabs.length];
      this.actions.showTab(tab.id);
      nextTick(() => document.getElementById(domId('tab', tab.id))?.focus());
    },
  },
  template: `
    <div v-if="state.tabs.length" class="chat-tabs">
      <div class="tab-strip" role="tablist" aria-label="Open chats">
        <button v-for="(tab, index) in state.tabs" :key="tab.id" type="button" role="tab" class="chat-tab"
                :class="{ 'is-active': tab.id === state.activeId, 'has-unread': tab.unread > 0 }"
                :id="domId('tab', tab.id)" :aria-controls="domId('panel', tab.id)"
                :aria-selected="tab.id === state.activeId ? 'true' : 'false'"
                :tabindex="tab.id === state.activeId ? 0 : -1" :title="tab.name"
                @click="actions.showTab(tab.id)" @keydown="onKey($event, index)">
          <span class="tab-kind" aria-hidden="true">{{ tab.isPrivate ? '@' : '#' }}</span>
          <span class="tab-name">{{ tab.name }}</span>
          <span v-if="details[tab.id]" class="name-detail">{{ details[tab.id] }}</span>
          <unread-badge :count="tab.unread" :mentions="tab.mentions"></unread-badge>
        </button>
      </div>
      <chat-pane v-for="tab in state.tabs" :key="tab.id" v-show="tab.id === state.activeId" :tab="tab"
                 :active="tab.id === state.activeId" :panel-id="domId('panel', tab.id)"
                 :tab-id="domId('tab', tab.id)" :detail="details[tab.id] ?? ''"></chat-pane>
    </div>
    <div v-else class="no-chats">
      <img src="/favicon.svg" alt="" width="72" height="72" class="no-chats-art">
      <p class="no-chats-title">No chat open</p>
      <p>Join a group chat or create one, or pick a person to talk to them privately.</p>
    </div>`,
};
