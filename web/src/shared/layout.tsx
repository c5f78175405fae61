import { useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from './i18n.tsx';
import { Link, hasNavigated } from './router.tsx';

/**
 * The frame of every page: a skip link, the banner with the language switch and sign-out, the
 * main navigation, one <main>, the footer. Landmarks let screen-reader users jump; the skip link
 * lets keyboard users pass the header.
 */

export interface NavItem {
  to: string;
  label: string;
}

export function Layout(props: {
  brand: string;
  home: string;
  nav?: NavItem[] | undefined;
  user?: string | undefined;
  onSignOut?: (() => void) | undefined;
  children: ReactNode;
}) {
  const { t, lang, setLang } = useI18n();
  const other = lang === 'vi' ? 'en' : 'vi';
  return (
    <>
      <a className="skip-link" href="#main">
        {t('skip_to_content')}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to={props.home} className="brand">
            <img src="/icons/icon.svg" alt="" width="32" height="32" />
            <span>{props.brand}</span>
          </Link>
          <div className="header-tools">
            <button type="button" className="link-button" lang={other} onClick={() => setLang(other)}>
              {t('other_language')}
            </button>
            {props.onSignOut && (
              <button type="button" className="button-secondary button-small" onClick={props.onSignOut}>
                {t('sign_out')}
              </button>
            )}
          </div>
        </div>
        {props.user && <p className="signed-in-as">{t('signed_in_as', { name: props.user })}</p>}
      </header>
      {props.nav && props.nav.length > 0 && (
        <nav className="site-nav" aria-label={t('nav_main')}>
          <ul>
            {props.nav.map((item) => (
              <li key={item.to}>
                <Link to={item.to}>{item.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
      <footer className="site-footer">
        <p>{t('footer')}</p>
      </footer>
    </>
  );
}

/**
 * The page's <h1>, which also names the document (title) and, after a move within the app, takes
 * focus so that a screen reader announces the new page.
 */
export function PageHeading({ children, brand }: { children: string; brand: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} – ${brand}`;
  }, [children, brand]);
  useEffect(() => {
    if (hasNavigated()) ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}
