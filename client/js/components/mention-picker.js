// The list that opens over the message box after `@`: the chat's members whose name starts
// with what follows, from the server (only members, however big the chat). Arrow keys move,
// Enter or Tab picks, Escape closes; a click picks too. The box keeps the focus (a textarea
// cannot be an ARIA combobox): the option under the arrows is announced in a live region.

import { inject } from '../../vendor/vue.esm-browser.prod.js';
import * as api from '../api.js';
import { peopleDetails } from '../names.js';
import { learnName } from '../state.js';

/** How long typing pauses before the search goes. */
const DEBOUNCE_MS = 150;
/** Members shown at once. */
const SHOWN = 8;
/** Pages of the search one query follows, looking for members (each looks at 50 people). */
const MAX_PAGES = 4;

export const MentionPicker = {
  name: 'MentionPicker',
  props: {
    chatId: { type: String, required: true },
    query: { type: String, required: true },
    listId: { type: String, required: true },
  },
  emits: ['pick', 'close'],
  setup() {
    const { state } = inject('chat');
    return { state };
  },
  data() {
    return { found: [], active: 0, loading: true, timer: null, asked: 0 };
  },
  computed: {
    /** Those found, still matching what is typed now (a search for an earlier query may be
     * all there is while the next one is on its way). */
    options() {
      const me = this.state.me.userId;
      const typed = this.query.toLocaleLowerCase();
      return this.found.filter((u) => u.userId !== me && u.userName.toLocaleLowerCase().startsWith(typed)).slice(0, SHOWN);
    },
    details() {
      return peopleDetails(this.options.map((u) => ({ id: u.userId, ...u })));
    },
    /** What a screen reader hears as the arrows move: "ann lee (GitHub), 1 of 3". */
    announced() {
      const user = this.options[this.active];
      if (!user) return '';
      const detail = this.details[user.userId];
      return `${user.userName}${detail ? ` (${detail})` : ''}, ${this.active + 1} of ${this.options.length}. Enter picks.`;
    },
  },
  watch: {
    query: {
      immediate: true,
      handler() {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.search(), DEBOUNCE_MS);
      },
    },
  },
  beforeUnmount() {
    clearTimeout(this.timer);
    this.asked += 1;
  },
  methods: {
    async search() {
      const ask = ++this.asked;
      this.loading = true;
      const found = [];
      let after = null;
      try {
        for (let page = 0; page < MAX_PAGES && found.length < SHOWN + 1; page += 1) {
          const result = await api.searchUsers(this.query, { chatId: this.chatId, after, limit: SHOWN + 1 });
          if (ask !== this.asked) return;
          found.push(...result.users);
          after = result.next;
          if (!after) break;
        }
      } catch {
        // Nobody to offer: the text stays as typed.
      }
      if (ask !== this.asked) return;
      for (const u of found) learnName(this.state, u.userId, u.userName);
      this.found = found;
      this.active = 0;
      this.loading = false;
      // "@ann and" with nobody called that: the words after the name are just text.
      if (this.options.length === 0 && /\s/u.test(this.query)) this.$emit('close');
    },
    /** A key from the box: true when the picker took it. */
    onKey(event) {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.$emit('close');
        return true;
      }
      // Nothing to pick (yet, or at all): the key is the box's (Enter sends what is written).
      if (this.options.length === 0) return false;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        this.active = (this.active + step + this.options.length) % this.options.length;
        return true;
      }
      if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
        event.preventDefault();
        this.$emit('pick', this.options[this.active]);
        return true;
      }
      return false;
    },
  },
  template: `
    <div class="mention-picker box">
      <ul v-if="options.length" :id="listId" class="mention-options" role="listbox" aria-label="Members to mention">
        <li v-for="(user, i) in options" :key="user.userId" :id="listId + '-' + i" role="option"
            class="mention-option" :class="{ 'is-active': i === active }" :aria-selected="i === active ? 'true' : 'false'"
            @mousedown.prevent="$emit('pick', user)" @mousemove="active = i">
          <span class="mention-name">{{ user.userName }}</span>
          <span v-if="details[user.userId]" class="name-detail">{{ details[user.userId] }}</span>
        </li>
      </ul>
      <p class="is-sr-only" aria-live="polite">{{ announced }}</p>
      <p v-if="!options.length" :id="listId" class="mention-empty" role="status">{{ loading ? 'Looking for members…' : 'No member of this chat has a name starting with “' + query + '”.' }}</p>
    </div>`,
};
