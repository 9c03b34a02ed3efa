// One open chat: its history and live messages (text only, never HTML) as rows.js lays them
// out (days, folded runs of notices, one sender's messages grouped, a "new messages" line at
// the read cursor), who is typing, and the box to write in. It loads the newest page when it
// opens and the page before when the reader scrolls to the top; it follows new messages
// unless the reader has scrolled up to read.

import { inject, nextTick } from '../../vendor/vue.esm-browser.prod.js';
import { rowsOf } from '../rows.js';
import { typersAt, typingLine } from '../typing.js';
import { Composer } from './composer.js';
import { MessageItem } from './message-item.js';
import { NoticeRun } from './notice-run.js';

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
  components: { Composer, MessageItem, NoticeRun },
  props: {
    tab: { type: Object, required: true },
    active: Boolean,
    panelId: { type: String, required: true },
    tabId: { type: String, required: true },
    /** What tells this chat from another of the same name (a private chat's other person). */
    detail: { type: String, default: '' },
  },
  setup() {
    const { state, actions } = inject('chat');
    const now = inject('now');
    return { state, actions, now, dayLabel };
  },
  data() {
    return { following: true, newBelow: false };
  },
  mounted() {
    this.actions.openHistory(this.tab);
    // A resize (a phone's keyboard, a rotation) keeps the newest messages in view.
    this.resizes = new ResizeObserver(() => {
      if (this.following) this.scrollToEnd();
    });
    this.resizes.observe(this.$refs.log);
  },
  beforeUnmount() {
    this.resizes?.disconnect();
  },
  computed: {
    rows() {
      return rowsOf(this.tab.messages, this.tab.divider ?? null);
    },
    /** We own this group chat: we may delete anyone's message in it. */
    owner() {
      return this.state.chats[this.tab.id]?.owner === this.state.me.userId;
    },
    lastKey() {
      return this.tab.messages[this.tab.messages.length - 1]?.key ?? 0;
    },
    /** Who is typing here now (their `typing` less than 5 s old). */
    typing() {
      return typersAt(this.state.typing[this.tab.id], this.now);
    },
    typingText() {
      return typingLine(this.typing);
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
    // The first page lands above whatever came live meanwhile (our join notice): to the end.
    'tab.history'(now) {
      if (now === 'loaded' && this.following) nextTick(() => this.scrollToEnd());
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
  },
  template: `
    <section class="chat-pane" role="tabpanel" :id="panelId" :aria-labelledby="tabId">
      <header class="pane-head">
        <h2 class="pane-title" :title="tab.name">{{ tab.name }}<span v-if="detail" class="name-detail">{{ ' ' + detail }}</span></h2>
        <span v-if="tab.isPrivate" class="tag is-rounded is-private">private</span>
        <button v-if="tab.isPrivate" type="button" class="button is-small is-light leave-chat"
                @click="actions.hideDirect(tab.id)" :aria-label="'Close ' + tab.name"
                title="Close this conversation (it comes back with the next message)">Close</button>
        <button v-else type="button" class="button is-small is-light leave-chat" @click="actions.leaveChat(tab.id)"
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
            <li v-if="m.kind === 'day'" class="day-line"><span>{{ dayLabel(m.date) }}</span></li>
            <li v-else-if="m.kind === 'unread'" class="day-line unread-line"><span>New messages</span></li>
            <notice-run v-else-if="m.kind === 'notices'" :run="m"></notice-run>
            <message-item v-else :entry="m.entry" :owner="owner" :first="m.first"></message-item>
          </template>
        </ol>
        <!-- At the bottom of the log as it scrolls, so that no composer height covers it. -->
        <button v-if="newBelow" type="button" class="button is-small is-link new-below" @click="scrollToEnd">
          New messages <span aria-hidden="true">↓</span>
        </button>
      </div>
      <p class="typing-line" aria-live="polite">{{ typingText }}</p>
      <composer :tab="tab" :panel-id="panelId"></composer>
    </section>`,
};
