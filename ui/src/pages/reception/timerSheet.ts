import type { Timer } from '../../api/types';
import type { ExtensionOption } from '../../lib/overtime';

// The dialogs a timer card opens. They live on the board, not in the card: charging overtime or
// waiving it stops the timer, its card leaves the board at once, and the dialog (the change to
// hand back, the receipt) must outlive it.

export type TimerSheet =
  /** Sell more time: a sale line `{timer_id, extend_minutes}`. */
  | { kind: 'extend'; timer: Timer; option: ExtensionOption }
  /** Charge the overtime due: a sale line `{timer_id, overtime: true}`, which stops the timer. */
  | { kind: 'overtime'; timer: Timer }
  /** Stop without charging the overtime, with a reason. */
  | { kind: 'waive'; timer: Timer }
  /** Give time without a sale (a courtesy), authorised by an administrator. */
  | { kind: 'give'; timer: Timer };
