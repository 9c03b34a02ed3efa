// The dialog that starts a direct conversation with anyone who has signed in here, online or
// not: search by the start of a name (the server's `/api/users?q=`), pick with a click or the
// arrow keys and Enter; Escape or Cancel closes and the focus goes back where it was.

import { inject, nextTick } from '../../vendor/vue.esm-browser.prod.js';
import * as api from '../api.js';
import { peopleDetails } from '../names.js';
import { learnName } from '../state.js';
import { ProviderIcon } from './provider-icon.js';

const DEBOUNCE_MS = 200;

export const NewDirectDialog = {
  name: 'NewDirectDialog',
  components: { ProviderIcon },
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions };
  },
  data() {
    return { query: '', found: [], active: 0, status: 'idle', returnTo: null, timer: null, asked: 0 };
  },
  computed: {
    /** Those online first (each group by name, as the server lists them). */
    people() {
      // Only those matching what is typed now (the search for it may still be on its way).
      const typed = this.query.trim().toLocaleLowerCase();
      const others = this.found.filter((u) => u.userId !== this.state.me.userId && u.userName.toLocaleLowerCase().startsWith(typed));
      return [...others.filter((u) => u.online), ...others.filter((u) => !u.online)];
    },
    details() {
      return peopleDetails(this.people.map((u) => ({ id: u.userId, ...u })));
    },
  },
  methods: {
    open() {
      const dialog = this.$refs.dialog;
      if (dialog.open) return;
      Object.assign(this, { query: '', found: [], active: 0, status: 'idle' });
      this.returnTo = document.activeElement;
      dialog.showModal();
      nextTick(() => this.$refs.input.focus());
    },
    onInput() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), DEBOUNCE_MS);
    },
    async search() {
      const ask = ++this.asked;
      const q = this.query.trim();
      if (q === '') {
        Object.assign(this, { found: [], status: 'idle' });
        return;
      }
      this.status = 'loading';
      try {
        const { users } = await api.searchUsers(q, { limit: 20 });
        if (ask !== this.asked) return;
        for (const u of users) learnName(this.state, u.userId, u.userName);
        Object.assign(this, { found: users, active: 0, status: 'done' });
      } catch {
        if (ask === this.asked) this.status = 'failed';
      }
    },
    onKey(event) {
      const n = this.people.length;
      if (n === 0) return;
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        this.active = (this.active + (event.key === 'ArrowDown' ? 1 : -1) + n) % n;
      } else if (event.key === 'Enter') {
        event.preventDefault();
        this.pick(this.people[this.active]);
      }
    },
    pick(user) {
      this.actions.startPrivateChat(user.userId);
      this.returnTo = null;
      this.$refs.dialog.close();
    },
    closed() {
      clearTimeout(this.timer);
      this.asked += 1;
      Object.assign(this, { query: '', found: [], status: 'idle' });
      this.returnTo?.focus?.();
    },
  },
  template: `
    <dialog ref="dialog" class="chat-dialog" aria-labelledby="new-direct-title" @close="closed">
      <div class="dialog-body">
        <h2 id="new-direct-title" class="title is-5">New direct message</h2>
        <div class="field">
          <label class="label" for="new-direct-name">Person to message</label>
          <div class="control">
            <input id="new-direct-name" ref="input" v-model="query" class="input" type="text" autocomplete="off"
                   placeholder="Start of a name" role="combobox" aria-autocomplete="list" aria-controls="new-direct-people"
                   :aria-expanded="people.length ? 'true' : 'false'"
                   :aria-activedescendant="people.length ? 'new-direct-' + active : null"
                   aria-describedby="new-direct-help" @input="onInput" @keydown="onKey">
          </div>
          <p id="new-direct-help" class="help" role="status">
            <template v-if="status === 'loading'">Searching…</template>
            <template v-else-if="status === 'failed'">The search failed. Type again to retry.</template>
            <template v-else-if="status === 'done' && people.length === 0">Nobody who has signed in here has a name starting with “{{ query.trim() }}”.</template>
            <template v-else>Anyone who has signed in here, online or not.</template>
          </p>
        </div>
        <ul id="new-direct-people" class="direct-results" role="listbox" aria-label="People">
          <li v-for="(user, i) in people" :key="user.userId" :id="'new-direct-' + i" role="option" class="direct-result"
              :class="{ 'is-active': i === active }" :aria-selected="i === active ? 'true' : 'false'"
              @click="pick(user)" @mousemove="active = i">
            <span class="presence" :class="user.online ? (user.idle ? 'is-away' : 'is-here') : 'is-offline'" aria-hidden="true"></span>
            <provider-icon :provider="user.userProvider"></provider-icon>
            <span class="side-name">{{ user.userName }}</span>
            <span v-if="details[user.userId]" class="name-detail">{{ details[user.userId] }}</span>
            <span class="result-state">{{ user.online ? (user.idle ? 'away' : 'online') : 'offline' }}</span>
          </li>
        </ul>
        <div class="buttons is-right">
          <button type="button" class="button" @click="$refs.dialog.close()">Cancel</button>
        </div>
      </div>
    </dialog>`,
};
