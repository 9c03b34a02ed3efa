// The box to write in under a chat: Enter sends, Shift+Enter starts a new line (said beside
// it where there is a keyboard). Over-long text is kept whole and counted, and Send does
// nothing until it is shortened (draft.js). While someone types it tells the chat, at most
// every `TYPING_EVERY_MS`, and never when nobody types. `@` opens the picker of the chat's
// members (mention-picker.js); a picked member goes with the message as a mention by id.

import { inject, nextTick } from '../../vendor/vue.esm-browser.prod.js';
import * as draft from '../draft.js';
import { otherNameIn } from '../protocol.js';
import { mentionAt } from '../text-parts.js';
import { MentionPicker } from './mention-picker.js';

/** The least time between two `typing` events of one chat while someone types on. */
export const TYPING_EVERY_MS = 3000;
/** After a message goes, the next `typing` may follow the last one this soon (the server's
 * bucket is one per 2 s): the others' line, cleared by the message, comes back quickly. */
const TYPING_AFTER_SEND_MS = 2000;
/** The longest chat or person name the placeholder spells out. */
const PLACEHOLDER_NAME = 24;

export const Composer = {
  name: 'Composer',
  components: { MentionPicker },
  props: {
    tab: { type: Object, required: true },
    panelId: { type: String, required: true },
  },
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions };
  },
  data() {
    // closedAt: where the `@` of a picker that is done (a pick, or closed) stands: it does not
    // open again there while that `@` is in place.
    return { draft: '', typingSentAt: 0, mentions: [], picking: null, closedAt: null };
  },
  computed: {
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
    /** Offline too: the message shows as not sent yet and goes by itself on reconnect. */
    canSend() {
      return this.draft.trim() !== '' && !this.tooLong;
    },
    placeholder() {
      if (!this.state.online) return 'Reconnecting…';
      const name = [...(this.tab.isPrivate ? otherNameIn(this.tab.name) : `#${this.tab.name}`)];
      return `Message ${name.length > PLACEHOLDER_NAME ? `${name.slice(0, PLACEHOLDER_NAME - 1).join('')}…` : name.join('')}`;
    },
    inputId() {
      return `${this.panelId}-input`;
    },
  },
  watch: {
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
    onKeydown(event) {
      if (this.picking && this.$refs.picker?.onKey(event)) return;
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      this.send();
    },
    onInput() {
      this.resize();
      this.findMention();
      if (this.draft.trim() === '' || !this.state.online) return;
      const now = Date.now();
      if (now - this.typingSentAt < TYPING_EVERY_MS) return;
      this.typingSentAt = now;
      this.actions.typing(this.tab.id);
    },
    /** An `@name` just before the caret opens the picker with what follows the `@` (names may
     * hold spaces: "@Bob St" finds Bob Stone; the picker closes itself once nobody matches). */
    findMention() {
      const box = this.$refs.input;
      const before = this.draft.slice(0, box?.selectionStart ?? this.draft.length);
      if (this.closedAt !== null && this.draft[this.closedAt] !== '@') this.closedAt = null;
      const match = /(?:^|\s)@([^\s@][^@\n]{0,31}|)$/u.exec(before);
      const at = match ? before.length - match[1].length - 1 : null;
      this.picking = match && at !== this.closedAt ? { query: match[1], at } : null;
    },
    /** The picker closed without a pick (Escape, or nobody by that name). */
    closePicker() {
      this.closedAt = this.picking?.at ?? null;
      this.picking = null;
    },
    /** Puts the picked member's name in place of the `@query` and keeps their id. */
    pick(member) {
      if (!this.picking) return;
      const { at, query } = this.picking;
      const mention = `@${member.userName} `;
      this.draft = this.draft.slice(0, at) + mention + this.draft.slice(at + 1 + query.length);
      this.mentions = [...this.mentions.filter((m) => m.userId !== member.userId), member];
      this.picking = null;
      this.closedAt = at;
      nextTick(() => {
        const box = this.$refs.input;
        box.focus();
        box.setSelectionRange(at + mention.length, at + mention.length);
      });
    },
    send() {
      if (!this.canSend) return;
      // Only those still named in the text are mentioned.
      const mentions = this.mentions.filter((m) => mentionAt(this.draft, m.userName) >= 0).map((m) => m.userId);
      if (this.actions.sendMessage(this.tab.id, this.draft, mentions)) {
        this.draft = '';
        this.mentions = [];
        this.picking = null;
        this.closedAt = null;
        this.typingSentAt = Math.min(this.typingSentAt, Date.now() - (TYPING_EVERY_MS - TYPING_AFTER_SEND_MS));
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
    <form class="composer" @submit.prevent="send">
      <mention-picker v-if="picking" ref="picker" :chat-id="tab.id" :query="picking.query" :list-id="panelId + '-mentions'"
                      @pick="pick" @close="closePicker"></mention-picker>
      <label class="is-sr-only" :for="inputId">Message to {{ tab.name }}</label>
      <textarea :id="inputId" ref="input" v-model="draft" class="textarea composer-input" rows="1"
                :class="{ 'is-danger': tooLong }" :placeholder="placeholder" :aria-invalid="tooLong ? 'true' : null"
                :aria-describedby="panelId + '-hint' + (counting ? ' ' + panelId + '-count' : '')"
                :aria-controls="picking ? panelId + '-mentions' : null" aria-autocomplete="list"
                @keydown="onKeydown" @input="onInput" @click="findMention"></textarea>
      <button type="submit" class="button is-primary send" :disabled="!canSend" aria-label="Send">
        <svg viewBox="0 0 20 20" aria-hidden="true" focusable="false"><path fill="currentColor" d="M2.5 2.2 18 10 2.5 17.8l2-7.1L12 10l-7.5-.7z"/></svg>
        <span class="send-label">Send</span>
      </button>
      <p :id="panelId + '-hint'" class="help composer-hint">Enter sends · Shift+Enter starts a new line · @ mentions someone</p>
      <p v-if="counting" :id="panelId + '-count'" class="help composer-count" :class="{ 'is-danger': tooLong }">
        <span v-if="tooLong">{{ overBy }}</span>
        {{ counted }}
      </p>
      <!-- Always there, so that a screen reader hears the change into (and out of) too long. -->
      <p class="is-sr-only" aria-live="polite">{{ tooLong ? overBy : '' }}</p>
    </form>`,
};
