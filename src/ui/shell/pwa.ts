// The offline app: in a production build the page registers the service worker (public/sw.js is written
// by the build: vite.config.ts), which keeps every file of the app. A new version is installed in the
// background and waits; the page offers it ("A new version is ready — Reload") and switches only when
// asked, never by itself in the middle of a lecture.

type Listener = (apply: () => void) => void;
const listeners = new Set<Listener>();
let ready: (() => void) | null = null;

/** Calls `listener` when a new version is waiting (at once if one already is); returns the unsubscribe. */
export function onUpdateReady(listener: Listener): () => void {
  listeners.add(listener);
  if (ready) listener(ready);
  return () => listeners.delete(listener);
}

function announce(apply: () => void): void {
  ready = apply;
  for (const l of listeners) l(apply);
}

/** The parts of a ServiceWorkerRegistration this uses (so a test can give a fake one). */
export interface RegistrationLike {
  readonly waiting: { postMessage(m: unknown): void } | null;
  readonly installing: { state: string; addEventListener(type: 'statechange', f: () => void): void } | null;
  addEventListener(type: 'updatefound', f: () => void): void;
}

/**
 * Watches a registration: when a new worker has installed while this page is controlled by an older one,
 * `onReady` gets a function that activates it (the page reloads once it has taken over).
 */
export function watchForUpdate(reg: RegistrationLike, controlled: () => boolean, onReady: (activate: () => void) => void): void {
  const offer = (w: { postMessage(m: unknown): void }) => onReady(() => w.postMessage({ kind: 'skip-waiting' }));
  if (reg.waiting && controlled()) offer(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const w = reg.installing;
    if (!w) return;
    w.addEventListener('statechange', () => {
      // The first install has nothing to replace: only an update is offered.
      if (w.state === 'installed' && controlled() && reg.waiting) offer(reg.waiting);
    });
  });
}

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  let reloading = false;
  let asked = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only the Reload the user pressed switches the page over.
    if (!asked || reloading) return;
    reloading = true;
    window.location.reload();
  });
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('./sw.js', { scope: './' })
      .then((reg) => {
        watchForUpdate(
          reg,
          () => navigator.serviceWorker.controller !== null,
          (activate) =>
            announce(() => {
              asked = true;
              activate();
            }),
        );
        // Look for a new version now and then while the page stays open (a lecture is long).
        setInterval(() => reg.update().catch(() => {}), 30 * 60 * 1000);
      })
      .catch(() => {
        // No service worker (a private window, an unusual browser): the app works online as before.
      });
  });
}
