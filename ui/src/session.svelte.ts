import { auth } from './api/endpoints';
import { configureClient } from './api/client';
import type { LoginResponse, User } from './api/types';
import { i18n } from './i18n/index.svelte';
import { sessionPlace } from './lib/sessionPlace';
import { saveKnownUser } from './lib/staff';
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

/** Makes an issued session this tab's, kept where its role's sessions live. */
function adopt(answer: LoginResponse): User {
  session.current = { token: answer.token, user: answer.user };
  const place = sessionPlace(answer.user.role);
  (place === 'local' ? sessionStorage : localStorage).removeItem(KEY);
  (place === 'local' ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(session.current));
  saveKnownUser(answer.user);
  return answer.user;
}

export async function login(username: string, password: string): Promise<User> {
  return adopt(await auth.login(username, password));
}

/**
 * The quick switch on a shared desk: another user's username and PIN replace this tab's session.
 * The replaced token is revoked, so the previous clerk's session does not linger on the desk.
 */
export async function switchUser(username: string, pin: string): Promise<User> {
  const previous = session.current?.token;
  const user = adopt(await auth.pin(username, pin));
  if (previous) auth.logout(previous).catch(() => {});
  return user;
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
