import { errorMessage } from './api.ts';
import { useI18n } from './i18n.tsx';

/** A page's load failed: say why, in the page's language, and offer to try again. */
export function LoadError({ error, retry }: { error: unknown; retry(): void }) {
  const { t } = useI18n();
  return (
    <div className="error-summary" role="alert">
      <p>{errorMessage(error, t)}</p>
      <button type="button" className="button-secondary" onClick={retry}>
        {t('retry')}
      </button>
    </div>
  );
}
