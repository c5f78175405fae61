import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * A form's draft kept in sessionStorage under `key`: a reload (or a trip through the login pages
 * when the session ran out) loses nothing; closing the tab forgets it. Never put a password,
 * passcode or code in a draft: only what the person wrote for themselves.
 */
const PREFIX = 'dd:draft:';

function readDraft<T>(key: string, initial: T): T {
  try {
    const raw = sessionStorage.getItem(PREFIX + key);
    return raw === null ? initial : (JSON.parse(raw) as T);
  } catch {
    return initial;
  }
}

export function useDraft<T>(key: string, initial: T): [T, (next: T) => void, () => void] {
  const [value, setValue] = useState<T>(() => readDraft(key, initial));
  // The first render's initial value: what a cleared draft goes back to.
  const initialRef = useRef(initial);
  useEffect(() => {
    try {
      sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
    } catch {
      // Storage full or disabled: the draft lives in memory only.
    }
  }, [key, value]);
  const clear = useCallback(() => {
    sessionStorage.removeItem(PREFIX + key);
    setValue(initialRef.current);
  }, [key]);
  return [value, setValue, clear];
}
