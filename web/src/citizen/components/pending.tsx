import { useAuth } from '../../shared/auth.tsx';
import { useI18n } from '../../shared/i18n.tsx';
import { Link } from '../../shared/router.tsx';
import { useResource } from '../../shared/use-resource.ts';
import type { Confirmation, ConsentRequest } from '../types.ts';

/**
 * What waits for the signed-in person on the home screen: a dependant's action to confirm, an
 * organisation's request to consent to. Nothing shows when nothing waits.
 */
export function PendingActions() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const waiting = useResource(
    async (signal) => {
      const [confirmations, consents] = await Promise.all([
        api.get<{ confirmations: Confirmation[] }>('/api/v1/app/confirmations', { signal }),
        api.get<{ requests: ConsentRequest[] }>('/api/v1/app/consent-requests', { signal }),
      ]);
      return { confirmations: confirmations.confirmations.length, consents: consents.requests.length };
    },
    [api, lang],
  );
  const data = waiting.data;
  if (!data || (data.confirmations === 0 && data.consents === 0)) return null;
  return (
    <section className="panel panel-attention" aria-labelledby="pending-title">
      <h2 id="pending-title">{t('cz_pending_title')}</h2>
      <ul className="quick-links">
        {data.confirmations > 0 && (
          <li>
            <Link to="/dependants">{t('cz_pending_confirmations', { n: data.confirmations })}</Link>
          </li>
        )}
        {data.consents > 0 && (
          <li>
            <Link to="/organisations">{t('cz_pending_consents', { n: data.consents })}</Link>
          </li>
        )}
      </ul>
    </section>
  );
}
