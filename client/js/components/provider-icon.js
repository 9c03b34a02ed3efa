// The sign-in provider of a user as a small icon whose alt text names the provider.

const PROVIDERS = {
  github: { src: '/img/github.svg', label: 'GitHub' },
  aad: { src: '/img/microsoft.svg', label: 'Microsoft' },
};

export const ProviderIcon = {
  name: 'ProviderIcon',
  props: { provider: { type: String, default: '' } },
  computed: {
    icon() {
      return PROVIDERS[this.provider] ?? { src: '/img/user.svg', label: this.provider || 'Unknown provider' };
    },
  },
  template: `<img class="provider-icon" :src="icon.src" :alt="icon.label" :title="icon.label" width="16" height="16">`,
};
