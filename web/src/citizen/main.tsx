import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../shared/i18n.tsx';
import { registerServiceWorker } from '../shared/pwa.ts';
import '../shared/styles.css';
import { CitizenApp } from './app.tsx';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <CitizenApp />
    </I18nProvider>
  </StrictMode>,
);
registerServiceWorker();
