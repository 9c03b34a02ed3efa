// One open chat: its messages (text only, never HTML), who said what and when, and the box
// to write in. It follows new messages unless the reader has scrolled up to read.

import { inject, nextTick } from '../../vendor/vue.esm-browser.prod.js';
import { MAX_MESSAGE } from '../actions.js';

/** How close to the bottom (px) still counts as "at the bottom". */
const NEAR_BOTTOM = 48;
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export const ChatPane = {
  name: 'ChatPane',
  props: {
    tab: { type: Object, required: true },
    active: Boolean,
    panelId: { type: String, required: true },
    tabId: { type: String, required: true },
  },
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions, maxMessage: MAX_MESSAGE };
  },
  data() {
    return { draft: '', following: true, newBelow: false };
  },
  computed: {
    lastKey() {
      return this.tab.messages[this.tab.messages.length - 1]?.key ?? 0;
    },
    canSend() {
      return this.state.online && this.draft.trim() !== '';
    },
    placeholder() {
      return this.state.online ? 'Write a message… (Enter sends, Shift+Enter starts a new line)' : 'Reconnecting…';
    },
  },
  watch: {
    lastKey() {
      const last = this.tab.messages[this.tab.messages.length - 1];
      if (this.following || last?.own) nextTick(() => this.scrollToEnd());
      else this.newBelow = true;
    },
    active(now) {
      if (now && this.following) nextTick(() => this.scrollToEnd());
    },
    'state.focusTabId': {
      immediate: true,
      handler(id) {
        if (id !== this.tab.id) return;
        this.state.focusTabId = null;
        nextTick(() => this.$refs.input?.focus());
      },
    },
  },
  methods: {
    time: (date) => timeFormat.format(date),
    onScroll() {
      const box = this.$refs.log;
      this.following = box.scrollHeight - box.scrollTop - box.clientHeight <= NEAR_BOTTOM;
      if (this.following) this.newBelow = false;
    },
    scrollToEnd() {
      const box = this.$refs.log;
      if (!box) return;
      box.scrollTop = box.scrollHeight;
      this.following = true;
      this.newBelow = false;
    },
    onEnter(event) {
      if (event.isComposing) return;
      event.preventDefault();
      this.send();
    },
    send() {
      if (!this.canSend) return;
      if (this.actions.sendMessage(this.tab.id, this.draft)) {
        this.draft = '';
        nextTick(() => this.resize());
      }
    },
    resize() {
      const box = this.$refs.input;
      box.style.height = 'auto';
      box.style.height = `${Math.min(box.scrollHeight, 160)}px`;
    },
  },
  template: `
    <section class="chat-pane" role="tabpanel" :id="panelId" :aria-labelledby="tabId">
      <header class="pane-head">
        <h2 class="pane-title">{{ tab.name }}</h2>
        <span v-if="tab.isPrivate" class="tag is-rounded is-private">private</span>
        <button type="button" class="button is-small is-light leave-chat" @click="actions.leaveChat(tab.id)"
                :aria-label="'Leave ' + tab.name">Leave</button>
      </header>
      <div ref="log" class="messages" role="log" tabindex="0" :aria-label="'Messages in ' + tab.name" @scroll="onScroll">
        <p v-if="tab.messages.length === 0" class="messages-empty">No messages yet. Say hello!</p>
        <ol class="message-list">
          <li v-for="m in tab.messages" :key="m.key" :class="m.kind === 'notice' ? 'notice' : ['chat-message', m.own ? 'is-own' : 'is-other']">
            <p v-if="m.kind === 'notice'" class="notice-text" :class="{ 'is-local': m.local, 'is-failed': m.failed }">{{ m.text }}</p>
            <div v-else class="bubble">
              <p class="meta"><span class="sender">{{ m.own ? 'You' : m.name }}</span>
                <time :datetime="m.time.toISOString()">{{ time(m.time) }}</time></p>
              <p class="text">{{ m.text }}</p>
            </div>
          </li>
        </ol>
      </div>
      <button v-if="newBelow" type="button" class="button is-small is-link new-below" @click="scrollToEnd">
        New messages <span aria-hidden="true">↓</span>
      </button>
      <form class="composer" @submit.prevent="send">
        <label class="is-sr-only" :for="panelId + '-input'">Message to {{ tab.name }}</label>
        <textarea :id="panelId + '-input'" ref="input" v-model="draft" class="textarea composer-input" rows="1"
                  :maxlength="maxMessage" :placeholder="placeholder"
                  @keydown.enter.exact="onEnter" @input="resize"></textarea>
        <button type="submit" class="button is-primary send" :disabled="!canSend">Send</button>
      </form>
    </section>`,
};
