import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../shared/i18n.tsx';
import '../shared/styles.css';
import { OfficerApp } from './app.tsx';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <OfficerApp />
    </I18nProvider>
  </StrictMode>,
);
