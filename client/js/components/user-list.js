// Who is online: provider, name (in full on hover; people with the same name told apart by
// provider or short id), you, away. Clicking someone opens a private chat. While we are not
// connected nobody's presence is known: the list is greyed and says so, until the reconnect
// reloads it.

import { inject } from '../../vendor/vue.esm-browser.prod.js';
import { peopleDetails } from '../names.js';
import { ProviderIcon } from './provider-icon.js';

export const UserList = {
  name: 'UserList',
  components: { ProviderIcon },
  emits: ['picked'],
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions };
  },
  computed: {
    people() {
      const me = this.state.me.userId;
      return Object.entries(this.state.users)
        .map(([id, user]) => ({ id, ...user, self: id === me }))
        .sort((a, b) => b.self - a.self || a.userName.localeCompare(b.userName));
    },
    details() {
      return peopleDetails(this.people);
    },
  },
  methods: {
    chatWith(id) {
      this.actions.startPrivateChat(id);
      this.$emit('picked');
    },
  },
  template: `
    <section class="side-section" aria-labelledby="people-heading">
      <div class="side-head">
        <h2 id="people-heading" class="side-title">People online</h2>
        <span class="tag is-rounded people-count">{{ state.online ? people.length : '?' }}</span>
      </div>
      <p v-if="!state.online" class="side-empty presence-unknown">Not connected: who is online is unknown until chatr reconnects.</p>
      <ul class="side-list user-list" :class="{ 'is-unknown': !state.online }">
        <li v-for="person in people" :key="person.id" class="side-item user"
            :class="{ 'is-self': person.self, 'is-away': person.idle }" :data-user-id="person.id">
          <component :is="person.self ? 'div' : 'button'" :type="person.self ? null : 'button'" class="side-button"
                     :title="person.self ? person.userName : 'Start a private chat with ' + person.userName + (details[person.id] ? ' (' + details[person.id] + ')' : '')"
                     @click="person.self || chatWith(person.id)">
            <span class="presence" :class="state.online ? (person.idle ? 'is-away' : 'is-here') : 'is-unknown'" aria-hidden="true"></span>
            <provider-icon :provider="person.userProvider"></provider-icon>
            <span class="side-name">{{ person.userName }}</span>
            <span v-if="details[person.id]" class="name-detail">{{ details[person.id] }}</span>
            <span v-if="person.self" class="tag is-rounded is-you">you</span>
            <span v-if="person.idle" class="tag is-rounded is-away-tag">away</span>
            <span v-if="!person.self" class="is-sr-only">, start a private chat</span>
          </component>
        </li>
      </ul>
    </section>`,
};
