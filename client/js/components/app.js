// The main screen: header, the lists beside the open chats, and the layers above them
// (dialogs, the direct-message popup, toasts). The page's title counts what is unread.

import { computed, inject, onBeforeUnmount, provide, ref, watch, watchEffect } from '../../vendor/vue.esm-browser.prod.js';
import { AppHeader } from './app-header.js';
import { ChatList } from './chat-list.js';
import { ChatTabs } from './chat-tabs.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ConnectionBanner } from './connection-banner.js';
import { DirectList } from './direct-list.js';
import { InvitePopup } from './invite-popup.js';
import { NewChatDialog } from './new-chat-dialog.js';
import { NewDirectDialog } from './new-direct-dialog.js';
import { Toasts } from './toasts.js';
import { UserList } from './user-list.js';

export const App = {
  name: 'App',
  components: {
    AppHeader,
    ChatList,
    ChatTabs,
    ConfirmDialog,
    ConnectionBanner,
    DirectList,
    InvitePopup,
    NewChatDialog,
    NewDirectDialog,
    Toasts,
    UserList,
  },
  setup() {
    const { state, actions } = inject('chat');
    const now = ref(Date.now());
    const tick = setInterval(() => (now.value = Date.now()), 1000);
    onBeforeUnmount(() => clearInterval(tick));
    provide('now', now);

    // On a phone the lists cover the chat: picking something in them, or any chat coming to
    // the front (a new one, an invitation accepted), folds them away.
    const sidebarOpen = ref(false);
    watch(
      () => state.activeId,
      () => (sidebarOpen.value = false),
    );
    const newChat = ref(null);
    const newDirect = ref(null);
    const confirm = ref(null);
    // Open tabs' counts, and the listed counts of our chats with no tab open.
    const unread = computed(() => {
      const open = state.tabs.reduce((n, t) => n + t.unread, 0);
      const listed = [...Object.values(state.chats), ...Object.values(state.direct)]
        .filter((c) => !state.tabs.some((t) => t.id === c.id))
        .reduce((n, c) => n + (c.unread ?? 0), 0);
      return open + listed;
    });
    watchEffect(() => {
      document.title = unread.value > 0 ? `(${unread.value}) chatr` : 'chatr';
    });
    async function confirmDelete(chat) {
      const yes = await confirm.value.ask({
        title: 'Delete this chat?',
        message: `Delete “${chat.name}” for everyone? Its tab closes for all its members. This cannot be undone.`,
        confirmLabel: 'Delete chat',
      });
      if (yes) actions.deleteChat(chat.id);
    }
    return { state, sidebarOpen, newChat, newDirect, confirm, confirmDelete };
  },
  template: `
    <a class="skip-link" href="#main">Skip to the chat</a>
    <app-header :sidebar-open="sidebarOpen" @toggle-sidebar="sidebarOpen = !sidebarOpen"></app-header>
    <connection-banner></connection-banner>
    <div v-if="state.started" class="app-body">
      <aside id="sidebar" class="sidebar" :class="{ 'is-open': sidebarOpen }" aria-label="Chats and people">
        <chat-list @new="newChat.open()" @delete="confirmDelete" @picked="sidebarOpen = false"></chat-list>
        <direct-list @new="newDirect.open()" @picked="sidebarOpen = false"></direct-list>
        <user-list @picked="sidebarOpen = false"></user-list>
      </aside>
      <main id="main" class="chat-area" tabindex="-1">
        <h1 class="is-sr-only">chatr</h1>
        <chat-tabs></chat-tabs>
      </main>
    </div>
    <invite-popup></invite-popup>
    <toasts></toasts>
    <new-chat-dialog ref="newChat"></new-chat-dialog>
    <new-direct-dialog ref="newDirect"></new-direct-dialog>
    <confirm-dialog ref="confirm"></confirm-dialog>
  `,
};
