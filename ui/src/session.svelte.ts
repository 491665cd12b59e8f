import { auth } from './api/endpoints';
import { configureClient } from './api/client';
import type { User } from './api/types';
import { i18n } from './i18n/index.svelte';
import { sessionPlace } from './lib/sessionPlace';
import { navigate } from './router.svelte';

// The session's token, kept per tab for staff and per device for unattended screens
// (lib/sessionPlace.ts).

const KEY = 'kidyboard.session';
/** The page a logged-out tab was opened on, to return to after the login. */
export const WANTED = 'kidyboard.wanted';

interface Stored {
  token: string;
  user: User;
}

function load(): Stored | null {
  try {
    const raw = sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
    const stored = raw ? (JSON.parse(raw) as Stored) : null;
    return stored?.token && stored.user ? stored : null;
  } catch {
    return null;
  }
}

export const session = $state<{ current: Stored | null }>({ current: load() });

export function currentUser(): User | null {
  return session.current?.user ?? null;
}

export async function login(username: string, password: string): Promise<User> {
  const answer = await auth.login(username, password);
  session.current = { token: answer.token, user: answer.user };
  const store = sessionPlace(answer.user.role) === 'local' ? localStorage : sessionStorage;
  store.setItem(KEY, JSON.stringify(session.current));
  return answer.user;
}

/** Forget the session locally; `revoke` also tells the hub to kill the token. */
export async function logout(revoke = true): Promise<void> {
  if (revoke && session.current) {
    try {
      await auth.logout();
    } catch {
      // The hub may be down; the token is forgotten here either way.
    }
  }
  // A session that expired under a screen (not a chosen logout) returns to that screen after login.
  if (!revoke && session.current) sessionStorage.setItem(WANTED, location.pathname);
  session.current = null;
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
  navigate('/login', true);
}

configureClient({
  token: () => session.current?.token ?? null,
  onUnauthorized: () => void logout(false),
  language: () => (i18n.lang === 'es' ? 'es-MX, es;q=0.9' : 'en, es-MX;q=0.5'),
});
