// The count of unread messages beside a chat (in the lists and on its tab): "99+" past 99,
// an "@" when some mention us, said in words to screen readers.

export const UnreadBadge = {
  name: 'UnreadBadge',
  props: {
    count: { type: Number, default: 0 },
    mentions: { type: Number, default: 0 },
  },
  template: `
    <span v-if="count > 0" class="unread" :class="{ 'has-mention': mentions > 0 }"><span v-if="mentions > 0"
        aria-hidden="true">@</span>{{ count >= 100 ? '99+' : count }}<span class="is-sr-only"> unread<template
        v-if="mentions > 0">, mentioning you</template></span></span>`,
};
