import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createApi, type Api } from './api.ts';
import { useI18n } from './i18n.tsx';
import {
  callbackPath,
  clearSession,
  completeSignIn,
  loadSession,
  mayReauthenticate,
  signIn as startSignIn,
  signOut as endSession,
  type ClientSettings,
  type Session,
} from './oidc.ts';
import { navigate } from './router.tsx';

/**
 * The signed-in state of an app and its API client. When the API says the sign-in is over (token
 * expired or revoked, account locked meanwhile), the app goes back through the provider once,
 * keeping the page the person was on; drafts survive in sessionStorage (useDraft).
 */

/** Why the person is looking at the sign-in page: shown there. */
export type Notice = 'expired' | 'locked' | 'unlocked' | 'cancelled' | 'failed';

interface Auth {
  session: Session | undefined;
  /** On the way through the provider, or exchanging the code at the callback. */
  completing: boolean;
  notice: Notice | undefined;
  /** The provider's error at the callback, if any. */
  failure: string | undefined;
  api: Api;
  signIn(returnTo?: string): void;
  signOut(): void;
  /** Forgets the tokens here without visiting the provider (its sessions already ended, e.g. a lock). */
  endLocally(notice: Notice): void;
}

const AuthContext = createContext<Auth | undefined>(undefined);

const NOTICE_KEY = 'dd:notice';

function storedNotice(): Notice | undefined {
  return (sessionStorage.getItem(NOTICE_KEY) as Notice | null) ?? undefined;
}

function here(): string {
  return `${location.pathname}${location.search}`;
}

/** Completes the sign-in once per page load, whatever React's effects do. */
let completion: ReturnType<typeof completeSignIn> | undefined;

export function AuthProvider({ settings, children }: { settings: ClientSettings; children: ReactNode }) {
  const { lang } = useI18n();
  const [session, setSession] = useState<Session | undefined>(() => loadSession(settings));
  const [completing, setCompleting] = useState(() => location.pathname === callbackPath(settings));
  const [notice, setNoticeState] = useState<Notice | undefined>(storedNotice);
  const [failure, setFailure] = useState<string | undefined>();
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const setNotice = useCallback((next: Notice | undefined) => {
    if (next) sessionStorage.setItem(NOTICE_KEY, next);
    else sessionStorage.removeItem(NOTICE_KEY);
    setNoticeState(next);
  }, []);

  const signIn = useCallback(
    (returnTo: string = here()) => {
      void startSignIn(settings, { returnTo, lang });
    },
    [settings, lang],
  );

  const endLocally = useCallback(
    (why: Notice) => {
      clearSession(settings);
      setSession(undefined);
      setNotice(why);
    },
    [settings, setNotice],
  );

  const sessionOver = useCallback(() => {
    clearSession(settings);
    setSession(undefined);
    // Back through the provider at once: silent while its session lasts.
    if (mayReauthenticate(settings)) {
      setCompleting(true);
      void startSignIn(settings, { returnTo: here(), lang });
    } else {
      setNotice('expired');
    }
  }, [settings, lang, setNotice]);

  useEffect(() => {
    if (location.pathname !== callbackPath(settings)) return;
    completion ??= completeSignIn(settings);
    completion.then(
      ({ session: fresh, returnTo }) => {
        setNotice(undefined);
        setSession(fresh);
        setCompleting(false);
        navigate(returnTo.startsWith(callbackPath(settings)) ? settings.basePath : returnTo, { replace: true });
      },
      (error: Error & { code?: string }) => {
        setNotice(error.code === 'access_denied' ? 'cancelled' : 'failed');
        setFailure(error.message);
        setCompleting(false);
        navigate(settings.basePath, { replace: true });
      },
    );
  }, [settings, setNotice]);

  const api = useMemo(
    () => createApi({ token: () => sessionRef.current?.accessToken, onSessionOver: sessionOver }),
    [sessionOver],
  );

  const value = useMemo<Auth>(
    () => ({
      session,
      completing,
      notice,
      failure,
      api,
      signIn,
      signOut: () => void endSession(settings, sessionRef.current),
      endLocally,
    }),
    [session, completing, notice, failure, api, signIn, settings, endLocally],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
