import { useI18n } from './i18n.tsx';

/**
 * A long operation under way: a native indeterminate <progress> (announced as busy) and its label in
 * a polite live region, so a screen reader hears what is happening without losing its place.
 */
export function Progress({ label }: { label?: string }) {
  const { t } = useI18n();
  const text = label ?? t('loading');
  return (
    <div className="progress" role="status" aria-live="polite">
      <progress aria-label={text} />
      <span>{text}</span>
    </div>
  );
}
