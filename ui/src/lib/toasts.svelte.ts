// Short confirmations ("Venta #12 cobrada") that fade by themselves, so the clerk gets feedback
// without a dialog to dismiss.

export interface Toast {
  id: number;
  kind: 'ok' | 'error' | 'info';
  text: string;
}

export const toasts = $state<{ items: Toast[] }>({ items: [] });
let next = 1;

export function toast(text: string, kind: Toast['kind'] = 'ok', ms = 3500): void {
  const id = next++;
  toasts.items.push({ id, kind, text });
  setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number): void {
  toasts.items = toasts.items.filter((item) => item.id !== id);
}
