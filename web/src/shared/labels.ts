import type { Translate } from './i18n.tsx';
import type { MessageKey } from './messages.ts';
import { vi } from './messages.ts';

/** The label of an API enum value (`state_received`…), or the raw value when none is known yet. */
export function enumLabel(prefix: string, value: string, t: Translate): string {
  const key = `${prefix}_${value}`;
  return key in vi ? t(key as MessageKey) : value;
}
