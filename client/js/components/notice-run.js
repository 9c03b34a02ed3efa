// A run of notices in a chat (joins and leaves) as one quiet line: a single notice as it is,
// several as who joined and who left, with a button that shows each one.

export const NoticeRun = {
  name: 'NoticeRun',
  props: { run: { type: Object, required: true } },
  data() {
    return { open: false };
  },
  template: `
    <li class="notice">
      <p class="notice-text">{{ run.summary }}
        <button v-if="run.items.length > 1" type="button" class="notice-toggle" :aria-expanded="open ? 'true' : 'false'"
                @click="open = !open">{{ open ? 'Hide' : 'Show all ' + run.items.length }}</button></p>
      <ul v-if="open" class="notice-items">
        <li v-for="n in run.items" :key="n.key" class="notice-item">{{ n.text }}</li>
      </ul>
    </li>`,
};
