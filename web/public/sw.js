/*
 * The citizen app's service worker: keeps the app shell (the two index pages, the hashed assets,
 * the icons) so the app starts without a network. Pages are fetched network-first (a new release is
 * seen at once); /assets/ files are named by content, so cache-first is safe. Nothing else is
 * touched: the API, the provider and its login pages always go to the network, and never into a
 * cache (tokens, personal data).
 */
const CACHE = 'dd-shell-v1';
const SHELL = ['/', '/officer/', '/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png'];
const NOT_APP = /^\/(api|oidc|interaction|sandbox|\.well-known|healthz|readyz|docs)(\/|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

/** The page of the app a navigation belongs to, for offline starts. */
function shellFor(url) {
  return url.pathname.startsWith('/officer') ? '/officer/' : '/';
}

async function networkFirst(request, fallback) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(fallback, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(fallback);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || NOT_APP.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, shellFor(url)));
  } else if (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/')) {
    event.respondWith(cacheFirst(request));
  }
});
