// The login page: shows who is signed in (from /.auth/me) with "Open chatr" and "Sign out",
// or the sign-in buttons. Public, so it loads nothing but itself.

const PROVIDERS = {
  github: { label: 'GitHub', icon: '/img/github.svg' },
  aad: { label: 'Microsoft', icon: '/img/microsoft.svg' },
};

function show(id, visible) {
  document.getElementById(id).classList.toggle('is-hidden', !visible);
}

async function main() {
  let principal = null;
  try {
    const response = await fetch('/.auth/me', { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`/.auth/me answered ${response.status}`);
    principal = (await response.json()).clientPrincipal ?? null;
  } catch {
    show('me-error', true);
    return;
  }
  if (!principal) return;
  const provider = PROVIDERS[principal.identityProvider] ?? { label: principal.identityProvider, icon: '/img/user.svg' };
  document.getElementById('me-name').textContent = principal.userDetails;
  document.getElementById('me-via').textContent = `via ${provider.label}`;
  document.getElementById('me-provider').src = provider.icon;
  show('signed-out', false);
  show('signed-in', true);
}

main();
