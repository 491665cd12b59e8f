// Who is signed in on this browser: the cloud's token and person, kept in localStorage so a new
// tab stays signed in; a 401 from any call forgets them and goes back to sign-in.
import { cloud, configureConsoleClient, type Me, type SessionAnswer } from './api/client';
import { navigate } from './router.svelte';

const KEY = 'kidyboard.console.session';

interface Stored {
  token: string;
  user: Me;
}

function load(): Stored | null {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Stored | null;
    return stored?.token && stored.user ? stored : null;
  } catch {
    return null;
  }
}

export const session = $state<{ current: Stored | null }>({ current: load() });

export function adopt(answer: SessionAnswer): void {
  session.current = { token: answer.token, user: answer.user };
  localStorage.setItem(KEY, JSON.stringify(session.current));
}

/** The person as the cloud has them now (a role or branches changed by the owner). */
export async function refreshMe(): Promise<void> {
  const user = await cloud.me();
  if (!session.current) return;
  session.current = { ...session.current, user };
  localStorage.setItem(KEY, JSON.stringify(session.current));
}

export function forget(): void {
  session.current = null;
  localStorage.removeItem(KEY);
  navigate('/entrar', true);
}

export async function signOut(): Promise<void> {
  try {
    await cloud.logout();
  } catch {
    // Forgotten here either way.
  }
  forget();
}

configureConsoleClient({ token: () => session.current?.token ?? null, onUnauthorized: forget });
