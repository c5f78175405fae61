import { ApiError, NetworkError, isSessionOver, type ProblemBody } from '../shared/api.ts';
import { currentLang } from '../shared/i18n.tsx';

/**
 * DELETE for the citizen app (withdrawing a consent, removing an integrated document): the shared
 * API client has GET and POST only. Same headers and problem handling; a sign-in that is over
 * calls `onSessionOver` as the shared client would.
 */
export async function apiDelete(
  path: string,
  options: { token: string | undefined; headers?: Record<string, string>; onSessionOver?: () => void },
): Promise<void> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    'accept-language': currentLang(),
    ...options.headers,
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, { method: 'DELETE', headers, credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    throw new NetworkError(error);
  }
  if (response.ok) return;
  let problem: ProblemBody = {};
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object') problem = body as ProblemBody;
  } catch {
    // No body: the status says it.
  }
  const error = new ApiError(response.status, problem);
  if (isSessionOver(error)) options.onSessionOver?.();
  throw error;
}
