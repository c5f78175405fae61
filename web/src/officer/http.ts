import { useMemo } from 'react';
import { ApiError, NetworkError, isSessionOver, type Api, type ProblemBody } from '../shared/api.ts';
import { useAuth } from '../shared/auth.tsx';
import { currentLang } from '../shared/i18n.tsx';
import { mayReauthenticate } from '../shared/oidc.ts';
import { OFFICER_SETTINGS } from './settings.ts';

/**
 * The shared API client (GET, POST as JSON) plus what only the console needs: PUT and DELETE (the
 * holiday editor), extra headers (Idempotency-Key), and a PDF read with the bearer (the receipt).
 * Errors are the same `ApiError`s (problem+json); a sign-in that is over goes back through the
 * provider, at most once every 30 seconds, or ends here with the "expired" notice.
 */
export interface OfficerApi extends Api {
  put<T>(path: string, body: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
  blob(path: string): Promise<Blob>;
}

async function problemOf(response: Response): Promise<ProblemBody> {
  try {
    const body: unknown = await response.json();
    return body && typeof body === 'object' ? (body as ProblemBody) : {};
  } catch {
    return {};
  }
}

export function useOfficerApi(): OfficerApi {
  const auth = useAuth();
  const token = auth.session?.accessToken;
  return useMemo(() => {
    async function send(method: string, path: string, body?: unknown): Promise<Response> {
      const headers: Record<string, string> = {
        accept: 'application/json, application/problem+json, application/pdf',
        'accept-language': currentLang(),
      };
      if (token) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetch(path, {
          method,
          headers,
          body: body === undefined ? null : JSON.stringify(body),
          credentials: 'same-origin',
          cache: 'no-store',
        });
      } catch (error) {
        throw new NetworkError(error);
      }
      if (!response.ok) {
        const error = new ApiError(response.status, await problemOf(response));
        if (isSessionOver(error)) {
          if (mayReauthenticate(OFFICER_SETTINGS)) auth.signIn();
          else auth.endLocally('expired');
        }
        throw error;
      }
      return response;
    }
    const json = async <T>(response: Response): Promise<T> =>
      response.status === 204 ? (undefined as T) : ((await response.json()) as T);
    return {
      get: auth.api.get,
      post: auth.api.post,
      put: async <T>(path: string, body: unknown) => json<T>(await send('PUT', path, body)),
      del: async <T>(path: string) => json<T>(await send('DELETE', path)),
      blob: async (path: string) => (await send('GET', path)).blob(),
    };
  }, [auth, token]);
}

/** A fresh Idempotency-Key: the same submission sent twice (a retry) makes one application. */
export function idempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Opens a PDF the API serves behind the bearer (the receipt): fetched here, shown from a blob URL
 * in a new tab (a plain link would carry no token).
 */
export async function openPdf(api: OfficerApi, path: string, opened: Window | null): Promise<void> {
  const blob = await api.blob(path);
  const url = URL.createObjectURL(blob);
  if (opened) opened.location.href = url;
  else window.open(url, '_blank', 'noopener');
  // The tab keeps the document; the URL is no longer needed after a while.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
