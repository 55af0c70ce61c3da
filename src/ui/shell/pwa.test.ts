import { describe, expect, it } from 'vitest';
import { type RegistrationLike, watchForUpdate } from './pwa';

/** A registration whose workers the test moves through their states. */
function fakeRegistration() {
  const posted: unknown[] = [];
  const waitingWorker = { postMessage: (m: unknown) => posted.push(m) };
  let onFound: (() => void) | null = null;
  let onState: (() => void) | null = null;
  const installing = { state: 'installing', addEventListener: (_: 'statechange', f: () => void) => void (onState = f) };
  const reg: RegistrationLike & { waiting: typeof waitingWorker | null; installing: typeof installing | null } = {
    waiting: null,
    installing: null,
    addEventListener: (_: 'updatefound', f: () => void) => void (onFound = f),
  };
  const install = () => {
    reg.installing = installing;
    onFound?.();
    installing.state = 'installed';
    reg.waiting = waitingWorker;
    onState?.();
  };
  return { reg, posted, install };
}

describe('offering a new version', () => {
  it('offers an update once it has installed, and activates it only when asked', () => {
    const f = fakeRegistration();
    const offers: (() => void)[] = [];
    watchForUpdate(
      f.reg,
      () => true,
      (activate) => offers.push(activate),
    );
    expect(offers).toHaveLength(0);
    f.install();
    expect(offers).toHaveLength(1);
    expect(f.posted).toEqual([]);
    offers[0]();
    expect(f.posted).toEqual([{ kind: 'skip-waiting' }]);
  });

  it('offers nothing on the first install (no older version controls the page)', () => {
    const f = fakeRegistration();
    const offers: (() => void)[] = [];
    watchForUpdate(
      f.reg,
      () => false,
      (activate) => offers.push(activate),
    );
    f.install();
    expect(offers).toHaveLength(0);
  });

  it('offers a version that was already waiting when the page opened', () => {
    const f = fakeRegistration();
    f.reg.waiting = { postMessage: (m: unknown) => f.posted.push(m) };
    const offers: (() => void)[] = [];
    watchForUpdate(
      f.reg,
      () => true,
      (activate) => offers.push(activate),
    );
    expect(offers).toHaveLength(1);
  });
});
