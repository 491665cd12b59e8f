import { es, type MessageKey } from './es';
import { en } from './en';

// Spanish (es-MX) by default; English can be switched on per device and is remembered there.

export type Lang = 'es' | 'en';
const KEY = 'kidyboard.lang';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { es, en };

function initial(): Lang {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'es';
  } catch {
    return 'es';
  }
}

export const i18n = $state<{ lang: Lang }>({ lang: initial() });

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  document.documentElement.lang = lang === 'es' ? 'es-MX' : 'en';
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/** Translate; `{name}` placeholders are filled from params. A count of one (`n: 1`) takes the
 *  key's `.one` form when there is one («1 artículo», not «1 artículos»). */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const dictionary: Record<string, string> = dictionaries[i18n.lang];
  const one = params.n === 1 ? dictionary[`${key}.one`] : undefined;
  // An unknown key shows itself rather than breaking the page it is on.
  const text: string = one ?? dictionary[key] ?? es[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** Locale tag for Intl formatting of dates and times. */
export function locale(): string {
  return i18n.lang === 'es' ? 'es-MX' : 'en-US';
}

export type { MessageKey };
