import { useEffect } from 'react';
import { TECHNIQUE_IDS } from '../../protocol/messages';
import { ACTIONS, matchesAlt } from '../state/actions';
import type { AppStore } from '../state/store';

function typingTarget(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t instanceof HTMLInputElement;
}

function inDialog(t: EventTarget | null): boolean {
  return t instanceof Element && t.closest('dialog') !== null;
}

/** The keys of interfaces.md, page-wide: function keys work everywhere, digits only outside text fields. */
export function useKeyboard(store: AppStore): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A function key, or its Ctrl/⌘ alternative (Run and Pause share one: whichever can act).
      const matching = ACTIONS.filter((a) => a.matches(e) || matchesAlt(a, e));
      const action = matching.find((a) => a.enabled(store.getState())) ?? matching[0];
      if (action) {
        // F5 would reload the page and F10 focus the browser menu: these keys are ours while the page has focus.
        e.preventDefault();
        if (action.enabled(store.getState())) action.perform(store.commands);
        return;
      }
      if (e.ctrlKey || e.altKey || e.metaKey || typingTarget(e.target)) return;
      // Presentation mode has keys of its own (Presentation.tsx).
      if (store.getState().presentation) return;
      if (e.key === '?' && !inDialog(e.target)) {
        e.preventDefault();
        store.setState({ keysOpen: true });
        return;
      }
      if ((e.key === 'p' || e.key === 'P') && !inDialog(e.target)) {
        e.preventDefault();
        store.commands.setPresentation(true);
        return;
      }
      const n = Number(e.key);
      if (Number.isInteger(n) && n >= 1 && n <= TECHNIQUE_IDS.length) {
        e.preventDefault();
        store.commands.setTechnique(TECHNIQUE_IDS[n - 1]);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}
