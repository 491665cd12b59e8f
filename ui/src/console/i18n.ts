// The console's words and formats (es-MX): roles, alert kinds, party states, dates, "hace N min",
// and what to say for a failed request.
import { ApiError, ThrottledError, type Role } from './api/client';
import type { Change } from './lib/change';

export const ROLE_LABEL: Record<Role, string> = { owner: 'Dueño(a)', manager: 'Gerente', viewer: 'Consulta' };

export const ALERT_KIND: Record<string, string> = {
  offline: 'Tienda sin conexión',
  cash_difference: 'Diferencia de caja',
  low_stock: 'Existencias bajas',
  refunds: 'Devoluciones',
};

export const BOOKING_STATE: Record<string, string> = {
  tentative: 'Apartada',
  confirmed: 'Confirmada',
  checked_in: 'En curso',
  completed: 'Terminada',
  cancelled: 'Cancelada',
  expired: 'Vencida',
};

/** Weekdays as the cloud counts them: 0 = Monday. */
export const WEEKDAYS = ['Lunes', 'Martes', 'Miércoles', 'Jueves', 'Viernes', 'Sábado', 'Domingo'];
export const WEEKDAYS_SHORT = ['Lun', 'Mar', 'Mié', 'Jue', 'Vie', 'Sáb', 'Dom'];

/** What the cloud sells, as the «Más vendidos» filter names it. */
export const ITEM_KIND: Record<string, string> = { product: 'Productos', service: 'Tiempo de juego', package: 'Paquetes' };
export const ITEM_KIND_ONE: Record<string, string> = { product: 'Producto', service: 'Tiempo de juego', package: 'Paquete' };

const decimal = new Intl.NumberFormat('es-MX', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const integer = new Intl.NumberFormat('es-MX');

/** 1234 → "1,234". */
export function formatCount(n: number): string {
  return integer.format(n);
}

/** 42.345 → "42.3 %"; null (the store has not said its capacity) → "—". */
export function formatPercent(p: number | null | undefined): string {
  return p === null || p === undefined || !Number.isFinite(p) ? '—' : `${decimal.format(p)} %`;
}

/** A figure's change against the previous period: "▲ 12.5 %", "▼ 3.0 pts", "= 0 %", "sin periodo anterior". */
export function changeText(c: Change, points = false): string {
  if (c.direction === 'none' || c.amount === null) return 'sin periodo anterior';
  const unit = points ? ' pts' : ' %';
  if (c.direction === 'same') return `= 0${unit}`;
  return `${c.direction === 'up' ? '▲' : '▼'} ${decimal.format(Math.abs(c.amount))}${unit}`;
}

/** 16 → "16:00–17:00" (an hour on the branch's own clock). */
export function hourRange(hour: number): string {
  return `${hour}:00–${(hour + 1) % 24}:00`;
}

/** "3 tickets" / "1 ticket". */
export function ticketsText(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'ticket' : 'tickets'}`;
}

/** The Mexican IANA zones a branch can keep its business days in. */
export const MEXICAN_ZONES: { id: string; label: string }[] = [
  { id: 'America/Mexico_City', label: 'Centro (Ciudad de México)' },
  { id: 'America/Monterrey', label: 'Centro (Monterrey)' },
  { id: 'America/Merida', label: 'Centro (Mérida)' },
  { id: 'America/Matamoros', label: 'Centro fronterizo (Matamoros)' },
  { id: 'America/Cancun', label: 'Sureste (Cancún)' },
  { id: 'America/Chihuahua', label: 'Centro (Chihuahua)' },
  { id: 'America/Ojinaga', label: 'Centro fronterizo (Ojinaga)' },
  { id: 'America/Ciudad_Juarez', label: 'Montaña fronterizo (Ciudad Juárez)' },
  { id: 'America/Mazatlan', label: 'Pacífico (Mazatlán)' },
  { id: 'America/Hermosillo', label: 'Pacífico sin horario de verano (Hermosillo)' },
  { id: 'America/Bahia_Banderas', label: 'Centro (Bahía de Banderas)' },
  { id: 'America/Tijuana', label: 'Noroeste (Tijuana)' },
];

export function zoneLabel(id: string): string {
  return MEXICAN_ZONES.find((z) => z.id === id)?.label ?? id;
}

const dateTime = new Intl.DateTimeFormat('es-MX', { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat('es-MX', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortDay = new Intl.DateTimeFormat('es-MX', { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "2026-12-06" → "domingo, 6 de diciembre de 2026" (a business day has no zone of its own). */
export function formatDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : dayFormat.format(d);
}

/** "2026-12-06" → "6 dic" for a chart's axis. */
export function formatShortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : shortDay.format(d).replace('.', '');
}

/** A moment as "hace 3 min", "hace 2 h", "hace 4 días"; "nunca" when there is none. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'nunca';
  const ms = now - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return '—';
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return 'hace menos de 1 min';
  if (minutes < 60) return `hace ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `hace ${hours} h`;
  const days = Math.floor(hours / 24);
  return `hace ${days} ${days === 1 ? 'día' : 'días'}`;
}

/** A wait in seconds as words: "45 segundos", "3 minutos". */
export function waitWords(seconds: number): string {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? 'segundo' : 'segundos'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}`;
}

/** What to show for a failed request: the cloud's own words (Spanish), the wait of a 429. */
export function errorText(err: unknown): string {
  if (err instanceof ThrottledError) {
    // The cloud's own words already name the wait in seconds; ours say it as a person would.
    const what = err.code === 'too_many_attempts' ? 'Demasiados intentos fallidos.' : 'Demasiadas solicitudes seguidas.';
    return err.retryAfter ? `${what} Espera ${waitWords(err.retryAfter)} antes de volver a intentar.` : err.message || what;
  }
  if (err instanceof ApiError) {
    if (err.code === 'network') return 'No hay conexión con la nube. Revisa la red e inténtalo de nuevo.';
    return err.message || 'Algo salió mal. Inténtalo de nuevo.';
  }
  return 'Algo salió mal. Inténtalo de nuevo.';
}

/** The input the cloud blamed for a refused form, if any. */
export function blamedField(err: unknown): string | null {
  return err instanceof ApiError ? err.field : null;
}

/** A browser's User-Agent as "Chrome en Linux": enough to tell one's own devices apart. */
export function deviceName(userAgent: string): string {
  if (!userAgent) return 'Equipo desconocido';
  const browser = /Edg\//.test(userAgent) ? 'Edge'
    : /OPR\//.test(userAgent) ? 'Opera'
    : /Firefox\//.test(userAgent) ? 'Firefox'
    : /(Chrome|Chromium|CriOS)\//.test(userAgent) ? 'Chrome'
    : /Safari\//.test(userAgent) ? 'Safari'
    : /^(curl|node|undici)/i.test(userAgent) ? 'Programa'
    : 'Navegador';
  const system = /Android/.test(userAgent) ? 'Android'
    : /iPhone|iPad|iPod/.test(userAgent) ? 'iPhone/iPad'
    : /Windows/.test(userAgent) ? 'Windows'
    : /Mac OS X|Macintosh/.test(userAgent) ? 'Mac'
    : /CrOS/.test(userAgent) ? 'ChromeOS'
    : /Linux/.test(userAgent) ? 'Linux'
    : '';
  return system ? `${browser} en ${system}` : browser;
}
