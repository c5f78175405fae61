/**
 * Installs the service worker (web/public/sw.js) that keeps the app shell for offline starts. Not
 * on plain HTTP other than localhost, where browsers refuse it anyway.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // The app works without it: only offline starts are lost.
    });
  });
}
