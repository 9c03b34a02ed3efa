// One message in a chat: who (with their avatar, on the first of a run of theirs; later ones
// name them for screen readers only), when, the text (as text, never HTML: links and mentions
// as parts of it), whether it was edited, and for our own ones whether it is on its way,
// failed (with why, and Retry) or sent. Its author may edit or delete it, a group chat's owner
// delete it; the buttons are in the tab order and show on hover or focus. Editing happens in
// place: Enter saves, Escape cancels.

import { inject, nextTick } from '../../vendor/vue.esm-browser.prod.js';
import { colourOf, initials } from '../avatar.js';
import * as draft from '../draft.js';
import { nameOf } from '../state.js';
import { textParts } from '../text-parts.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

export const MessageItem = {
  name: 'MessageItem',
  props: {
    entry: { type: Object, required: true },
    /** The signed-in user owns this (group) chat: they may delete any message in it. */
    owner: Boolean,
    /** The first of a run of one sender's messages: it shows their avatar and name. */
    first: { type: Boolean, default: true },
  },
  setup() {
    const { state, actions } = inject('chat');
    return { state, actions };
  },
  data() {
    return { editing: false, draft: '', confirming: false };
  },
  computed: {
    stored() {
      return this.entry.kind === 'message' && this.entry.id !== null && !this.entry.deleted;
    },
    canEdit() {
      return this.stored && this.entry.own && this.state.online;
    },
    canDelete() {
      return this.stored && (this.entry.own || this.owner) && this.state.online;
    },
    who() {
      return this.entry.own ? 'You' : this.entry.name;
    },
    avatar() {
      return { letters: initials(this.entry.name), colour: colourOf(this.entry.fromUserId) };
    },
    /** Mentions us (our @name is still in it, edits included): the message stands out. */
    mentionsMe() {
      const me = this.state.me.userId;
      return !this.entry.own && this.parts.some((p) => p.kind === 'mention' && p.userId === me);
    },
    parts() {
      const mentioned = (this.entry.mentions ?? []).map((userId) => ({ userId, name: nameOf(this.state, userId, this.entry.chatId) }));
      return textParts(this.entry.text, mentioned);
    },
    /** The edit's length as the server counts it, and whether it may be saved. */
    editLength() {
      return draft.draftLength(this.draft);
    },
    editTooLong() {
      return draft.tooLong(this.editLength);
    },
    editEmpty() {
      return this.draft.trim() === '';
    },
    canSave() {
      return !this.editEmpty && !this.editTooLong;
    },
    /** What the edit box says under it: why Save is off, or the count near the limit. */
    editNote() {
      if (this.editEmpty) return 'A message cannot be empty: delete it instead.';
      if (this.editTooLong) return `${draft.overBy(this.editLength, 'save')} ${draft.counted(this.editLength)}`;
      return draft.counting(this.editLength) ? draft.counted(this.editLength) : '';
    },
  },
  watch: {
    // Someone mentioned whom this page has not met: their name is asked for.
    'entry.mentions': {
      immediate: true,
      handler(ids) {
        for (const id of ids ?? []) this.actions.wantName(id);
      },
    },
  },
  methods: {
    time: (date) => timeFormat.format(date),
    fullTime: (date) => fullFormat.format(date),
    startEdit() {
      this.draft = this.entry.text;
      this.editing = true;
      nextTick(() => this.$refs.edit?.focus());
    },
    saveEdit() {
      if (!this.canSave) return;
      if (this.draft === this.entry.text || this.actions.editMessage(this.entry.chatId, this.entry.id, this.draft)) {
        this.stopEditing();
      }
    },
    cancelEdit() {
      this.stopEditing();
    },
    /** Back from the edit box to the Edit button, where the keyboard was. */
    stopEditing() {
      this.editing = false;
      nextTick(() => this.$refs.editButton?.focus());
    },
    /** "Delete for everyone?": the keyboard goes to the safe answer, Keep (Escape is Keep too). */
    askDelete() {
      this.confirming = true;
      nextTick(() => this.$refs.keepButton?.focus());
    },
    keep() {
      this.confirming = false;
      nextTick(() => this.$refs.deleteButton?.focus());
    },
    remove() {
      this.confirming = false;
      // Its buttons go with the message: the keyboard stays in the chat's log.
      const log = this.$el.closest('[role="log"]');
      this.actions.deleteMessage(this.entry.chatId, this.entry.id);
      nextTick(() => log?.focus());
    },
  },
  template: `
    <li class="chat-message" :class="[entry.own ? 'is-own' : 'is-other', 'is-' + (entry.status ?? 'sent'),
        { 'is-deleted': entry.deleted, 'is-first': first, 'is-more': !first, 'mentions-me': mentionsMe }]">
      <span v-if="!entry.own && first && !entry.deleted" class="avatar" aria-hidden="true"
            :style="{ background: avatar.colour }">{{ avatar.letters }}</span>
      <span v-else-if="!entry.own" class="avatar is-spacer" aria-hidden="true">{{ entry.deleted ? '' : time(entry.time) }}</span>
      <div class="bubble">
        <p class="meta" :class="{ 'is-sr-only': !first && (entry.status ?? 'sent') === 'sent' }">
          <span class="sender">{{ entry.deleted ? '' : who }}</span>
          <time :datetime="entry.time.toISOString()" :title="fullTime(entry.time)">{{ time(entry.time) }}</time>
          <span v-if="entry.editedAt && !entry.deleted" class="edited" :title="'Edited ' + fullTime(entry.editedAt)">(edited)</span>
          <span v-if="entry.status === 'pending'" class="delivery">Sending…</span>
        </p>
        <p v-if="entry.deleted" class="text deleted-text">This message was deleted.</p>
        <form v-else-if="editing" class="edit-form" @submit.prevent="saveEdit">
          <label class="is-sr-only" :for="'edit-' + entry.key">Edit your message</label>
          <textarea :id="'edit-' + entry.key" ref="edit" v-model="draft" class="textarea edit-input" rows="2"
                    :class="{ 'is-danger': !canSave }" :aria-invalid="canSave ? null : 'true'"
                    :aria-describedby="editNote ? 'edit-' + entry.key + '-note' : null"
                    @keydown.enter.exact.prevent="saveEdit" @keydown.esc.prevent="cancelEdit"></textarea>
          <p v-if="editNote" :id="'edit-' + entry.key + '-note'" class="help edit-note" :class="{ 'is-danger': !canSave }">
            {{ editNote }}</p>
          <p class="is-sr-only" aria-live="polite">{{ canSave ? '' : editNote }}</p>
          <span class="edit-buttons">
            <button type="submit" class="button is-small is-primary is-light" :disabled="!canSave">Save</button>
            <button type="button" class="button is-small is-light" @click="cancelEdit">Cancel</button>
          </span>
        </form>
        <p v-else class="text" dir="auto"><template v-for="(part, i) in parts" :key="i"><a v-if="part.kind === 'link'"
            :href="part.href" target="_blank" rel="noopener noreferrer">{{ part.text }}</a><mark v-else-if="part.kind === 'mention'"
            class="mention" :class="{ 'is-me': part.userId === state.me.userId }">{{ part.text }}</mark><template
            v-else>{{ part.text }}</template></template></p>
        <p v-if="entry.status === 'failed'" class="failed-note" role="alert">
          {{ entry.error }}
          <button type="button" class="button is-small is-white retry" @click="actions.retryMessage(entry.chatId, entry.clientId)">Retry</button>
        </p>
      </div>
      <div v-if="(canEdit || canDelete) && !editing" class="message-actions" @keydown.esc="confirming && keep()">
        <template v-if="confirming">
          <span class="confirm-text">Delete for everyone?</span>
          <button type="button" class="button is-small is-danger is-light" @click="remove">Delete</button>
          <button ref="keepButton" type="button" class="button is-small is-light" @click="keep">Keep</button>
        </template>
        <template v-else>
          <button v-if="canEdit" ref="editButton" type="button" class="button is-small is-light" @click="startEdit"
                  :aria-label="'Edit your message: ' + entry.text.slice(0, 40)">Edit</button>
          <button v-if="canDelete" ref="deleteButton" type="button" class="button is-small is-light" @click="askDelete"
                  :aria-label="'Delete the message from ' + who + ': ' + entry.text.slice(0, 40)">Delete</button>
        </template>
      </div>
    </li>`,
};
