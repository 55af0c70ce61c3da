// What the Machine panel plays, from the page's state: the run's live events as transitions (Run, Step),
// one event alone with its chain when the run was stepped to it (Step to event, Back to event, a click),
// and after a seek a caption that says what the moment the run is at shows, without movement. Outside
// React: the store is subscribed to directly and the player writes the DOM.
import type { StoreApi } from 'zustand/vanilla';
import type { AppState } from '../../state/app-state';
import { chainOf, layerAfter, type Transition, type TransitionPlayer, transitionOf } from './machine-animation';

export const IDLE_CAPTION = 'Each event that crosses a layer is drawn here as it happens.';

/** Follows the store with `player`; returns the unsubscribe function. */
export function followRun(store: StoreApi<AppState>, player: TransitionPlayer): () => void {
  /** Where each VM's code is (user or kernel), for events that do not say. */
  const layers = new Map<number, 'user' | 'kernel'>();
  const resetLayers = () => {
    layers.clear();
    for (const [i, v] of (store.getState().snapshot?.inspection?.vms ?? []).entries()) {
      layers.set(i, v.layer === 'guest-user' ? 'user' : 'kernel');
    }
  };
  resetLayers();
  return store.subscribe((s, prev) => {
    const t = s.snapshot?.technique ?? 'native';
    const names = s.snapshot?.vms.map((v) => v.name) ?? [];
    const vmIndex = (name: string) => names.indexOf(name);
    const at = s.status.event;
    const was = prev.status.event;
    const fresh = s.liveEvents !== prev.liveEvents;
    const transitionAt = () => (at ? transitionOf(at.event, t, layers.get(at.event.vm) ?? 'kernel', vmIndex) : null);
    const live = () => {
      const list: Transition[] = [];
      const events = s.liveEvents.events;
      // At full speed a batch holds thousands of events: only the last few can be drawn anyway.
      for (const e of events.length > 64 ? events.slice(-64) : events) {
        const before = layers.get(e.vm) ?? 'kernel';
        const tr = transitionOf(e, t, before, vmIndex);
        layers.set(e.vm, layerAfter(e, before));
        if (tr) list.push(tr);
      }
      return list;
    };
    // One event stepped to: that event alone, animated, with its chain; the rest of its batch is not played.
    if (at?.chosen && (at.index !== was?.index || !was?.chosen)) {
      const tr = transitionAt();
      player.playOne(tr, chainOf(at.event, t), tr ? tr.caption : `${at.event.kind}: nothing moves between the layers`);
      if (s.status.steps < prev.status.steps) resetLayers();
      else if (fresh) live();
      return;
    }
    // A seek (back, or a jump forwards with nothing new) or a new run: the caption says what this moment shows.
    const back = s.status.steps < prev.status.steps;
    const jumped = s.status.steps > prev.status.steps && !fresh && s.status.state !== 'running' && !player.busy;
    if (back || jumped || (s.snapshot === null) !== (prev.snapshot === null)) {
      resetLayers();
      player.describe(transitionAt()?.caption ?? IDLE_CAPTION);
      return;
    }
    if (!fresh) return;
    const list = live();
    if (list.length) {
      player.setChain(null);
      player.enqueue(list);
    }
  });
}
