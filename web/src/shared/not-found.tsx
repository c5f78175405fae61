import { useI18n } from './i18n.tsx';
import { PageHeading } from './layout.tsx';
import { Link } from './router.tsx';

export function NotFound({ brand, home }: { brand: string; home: string }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeading brand={brand}>{t('page_not_found')}</PageHeading>
      <p>{t('page_not_found_body')}</p>
      <p>
        <Link to={home}>{t('back_home')}</Link>
      </p>
    </>
  );
}
