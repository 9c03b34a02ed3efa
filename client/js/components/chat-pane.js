// One open chat: its history and live messages (text only, never HTML) with a line between
// days, the notices, and the box to write in. It loads the newest page when it opens and the
// page before when the reader scrolls to the top; it follows new messages unless the reader
// has scrolled up to read.

import { inject, nextTick } from '../../vendor/vue.esm-browser.prod.js';
import { MAX_MESSAGE } from '../actions.js';
import * as draft from '../draft.js';
import { isNewDay } from '../messages.js';
import { MessageItem } from './message-item.js';

/** How close to the bottom (px) still counts as "at the bottom". */
const NEAR_BOTTOM = 48;
/** How close to the top (px) loads the page before. */
const NEAR_TOP = 80;
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** "Today", "Yesterday", or the date. */
function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(today);
  yesterday.setDate(today.getDate() - 1);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return dayFormat.format(date);
}

export const ChatPane = {
  name: 'ChatPane',
  components: { MessageItem },
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
  mounted() {
    this.actions.openHistory(this.tab);
  },
  computed: {
    /** The entries, with a day line before the first message of each day. */
    rows() {
      const rows = [];
      let previous = null;
      for (const entry of this.tab.messages) {
        if (entry.kind !== 'notice' && isNewDay(previous, entry.time)) {
          rows.push({ key: `day-${entry.key}`, kind: 'day', label: dayLabel(entry.time) });
          previous = entry.time;
        }
        rows.push(entry);
      }
      return rows;
    },
    /** We own this group chat: we may delete anyone's message in it. */
    owner() {
      return this.state.chats[this.tab.id]?.owner === this.state.me.userId;
    },
    lastKey() {
      return this.tab.messages[this.tab.messages.length - 1]?.key ?? 0;
    },
    /** The draft's length as the server counts it (`draft.js`). */
    length() {
      return draft.draftLength(this.draft);
    },
    tooLong() {
      return draft.tooLong(this.length);
    },
    overBy() {
      return draft.overBy(this.length, 'send');
    },
    counting() {
      return draft.counting(this.length);
    },
    counted() {
      return draft.counted(this.length);
    },
    canSend() {
      return this.state.online && this.draft.trim() !== '' && !this.tooLong;
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
    onScroll() {
      const box = this.$refs.log;
      this.following = box.scrollHeight - box.scrollTop - box.clientHeight <= NEAR_BOTTOM;
      if (this.following) this.newBelow = false;
      if (box.scrollTop <= NEAR_TOP && this.tab.hasOlder && !this.tab.loadingOlder) this.loadOlder();
    },
    /** The page before, keeping what the reader sees where it is. */
    async loadOlder() {
      const box = this.$refs.log;
      const fromBottom = box ? box.scrollHeight - box.scrollTop : 0;
      await this.actions.loadOlder(this.tab);
      await nextTick();
      if (box && !this.following) box.scrollTop = box.scrollHeight - fromBottom;
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
        <p v-if="tab.hasOlder" class="history-edge">
          <button type="button" class="button is-small is-light" :class="{ 'is-loading': tab.loadingOlder }" @click="loadOlder">
            Load earlier messages</button>
        </p>
        <p v-if="tab.history === 'loading' && tab.messages.length === 0" class="messages-empty">Loading messages…</p>
        <p v-else-if="tab.history === 'failed'" class="messages-empty">
          The earlier messages could not be loaded.
          <button type="button" class="button is-small is-light" @click="actions.openHistory(tab)">Try again</button>
        </p>
        <p v-else-if="tab.messages.length === 0" class="messages-empty">No messages yet. Say hello!</p>
        <ol class="message-list">
          <template v-for="m in rows" :key="m.key">
            <li v-if="m.kind === 'day'" class="day-line" role="separator"><span>{{ m.label }}</span></li>
            <li v-else-if="m.kind === 'notice'" class="notice">
              <p class="notice-text" :class="{ 'is-local': m.local }">{{ m.text }}</p>
            </li>
            <message-item v-else :entry="m" :owner="owner"></message-item>
          </template>
        </ol>
      </div>
      <button v-if="newBelow" type="button" class="button is-small is-link new-below" @click="scrollToEnd">
        New messages <span aria-hidden="true">↓</span>
      </button>
      <form class="composer" @submit.prevent="send">
        <label class="is-sr-only" :for="panelId + '-input'">Message to {{ tab.name }}</label>
        <textarea :id="panelId + '-input'" ref="input" v-model="draft" class="textarea composer-input" rows="1"
                  :class="{ 'is-danger': tooLong }" :placeholder="placeholder" :aria-invalid="tooLong ? 'true' : null"
                  :aria-describedby="counting ? panelId + '-count' : null"
                  @keydown.enter.exact="onEnter" @input="resize"></textarea>
        <button type="submit" class="button is-primary send" :disabled="!canSend">Send</button>
        <p v-if="counting" :id="panelId + '-count'" class="help composer-count" :class="{ 'is-danger': tooLong }">
          <span v-if="tooLong">{{ overBy }}</span>
          {{ counted }}
        </p>
        <!-- Always there, so that a screen reader hears the change into (and out of) too long. -->
        <p class="is-sr-only" aria-live="polite">{{ tooLong ? overBy : '' }}</p>
      </form>
    </section>`,
};
