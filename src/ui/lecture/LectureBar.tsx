// The lecture's controls: the scenario library, Compare, the Popek–Goldberg view, Share (copies the link
// at once, then shows it with a QR code) and Presentation (P). Each opens one dialog at a time.
import { useState } from 'react';
import { shareLink } from '../../scenario/link';
import { appBase, copyText, ShareDialog } from '../saved-work/ShareDialog';
import { KeysDialog } from '../shell/KeysDialog';
import { useApp, useAppStore } from '../state/context';
import { scenarioOf } from '../state/store';
import { CompareDialog } from './CompareDialog';
import { LibraryDialog } from './LibraryDialog';
import { PopekGoldbergDialog } from './PopekGoldbergDialog';
import { PredictToggle } from './Predict';

type Open = { kind: 'library' } | { kind: 'compare' } | { kind: 'pg' } | { kind: 'share'; copied: Promise<boolean> } | null;

export function LectureBar() {
  const store = useAppStore();
  const [open, setOpen] = useState<Open>(null);
  const keysOpen = useApp((s) => s.keysOpen);
  const close = () => setOpen(null);
  const share = () => {
    const s = store.getState();
    // Copied within the click (browsers allow the clipboard during a user's gesture only).
    const link = shareLink(appBase(), scenarioOf(s), s.status.steps > 0 ? s.status.steps : undefined);
    setOpen({ kind: 'share', copied: copyText(link) });
  };
  return (
    <nav className="lecture-bar" aria-label="Lecture">
      <button type="button" className="lecture" onClick={() => setOpen({ kind: 'library' })} aria-haspopup="dialog">
        Library
      </button>
      <button type="button" className="lecture" onClick={() => setOpen({ kind: 'compare' })} aria-haspopup="dialog">
        Compare
      </button>
      <button type="button" className="lecture" onClick={() => setOpen({ kind: 'pg' })} aria-haspopup="dialog">
        Popek–Goldberg
      </button>
      <button type="button" className="lecture" onClick={share} aria-haspopup="dialog">
        Share
      </button>
      <PredictToggle />
      <button
        type="button"
        className="lecture"
        aria-keyshortcuts="P"
        title="Presentation mode: large type for a lecture hall (P; Escape leaves)"
        onClick={() => store.commands.setPresentation(true)}
      >
        Presentation
      </button>
      <button
        type="button"
        className="lecture"
        aria-keyshortcuts="?"
        title="Every key of the page (?)"
        onClick={() => store.setState({ keysOpen: true })}
        aria-haspopup="dialog"
      >
        Keys
      </button>
      {keysOpen && <KeysDialog onClose={() => store.setState({ keysOpen: false })} />}
      {open?.kind === 'library' && <LibraryDialog onClose={close} />}
      {open?.kind === 'compare' && <CompareDialog onClose={close} />}
      {open?.kind === 'pg' && <PopekGoldbergDialog onClose={close} />}
      {open?.kind === 'share' && <ShareDialog onClose={close} copied={open.copied} />}
    </nav>
  );
}
