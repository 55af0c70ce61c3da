// What the page has to say about the work itself: a refused link (why, and that the default scenario
// opened), the work a link or library scenario replaced (kept one step back), a storage that cannot
// keep the work, and a new version of the app ready to load (never loaded by itself mid-lecture).
import { useEffect, useState } from 'react';
import { libraryScenario } from '../../scenario/library';
import { useApp, useAppStore, useWork } from '../state/context';
import { onUpdateReady } from './pwa';

/** The lesson a first visit is offered: trap-and-emulate on a tiny OS. */
const FIRST_LESSON = 'tae-basics';

export function LinkProblemBanner() {
  const store = useAppStore();
  const problem = useApp((s) => s.linkProblem);
  if (!problem) return null;
  return (
    <div className="banner banner-link" role="alert">
      <span>This link could not be opened: {problem}. The default scenario is open instead.</span>
      <button type="button" className="link" onClick={() => store.commands.setLinkProblem(null)}>
        Dismiss
      </button>
    </div>
  );
}

export function WorkNotices() {
  const work = useWork();
  const previous = useApp((s) => s.previousKept);
  const storage = useApp((s) => s.storageProblem);
  const said = useApp((s) => s.workNotices);
  const otherTab = useApp((s) => s.otherTabWork);
  const store = useAppStore();
  const [update, setUpdate] = useState<(() => void) | null>(null);
  useEffect(() => onUpdateReady((apply) => setUpdate(() => apply)), []);
  const firstVisit = useApp((s) => s.firstVisit);
  if (!previous && !storage && !update && said.length === 0 && !otherTab && !firstVisit) return null;
  const lesson = () => {
    const sc = libraryScenario(FIRST_LESSON);
    if (sc) work.open(sc, FIRST_LESSON);
    work.dismissWelcome();
  };
  return (
    <div className="notices">
      {firstVisit && (
        // Not a live region: the page's one role="status" is the run's status (tests and screen readers read it).
        <p className="notice notice-welcome">
          New here? Step a guest program under six ways of virtualizing a CPU.{' '}
          <button type="button" className="link" onClick={lesson}>
            Start the first lesson
          </button>{' '}
          ·{' '}
          <button type="button" className="link" onClick={() => store.setState({ keysOpen: true })}>
            Show the keys
          </button>{' '}
          ·{' '}
          <button type="button" className="link" onClick={() => work.dismissWelcome()} aria-label="Dismiss the welcome">
            Dismiss
          </button>
        </p>
      )}
      {said.map((text, i) => (
        <p key={text} className="notice notice-warning">
          {text}{' '}
          <button
            type="button"
            className="link"
            aria-label="Dismiss this notice"
            onClick={() => store.setState({ workNotices: said.filter((_, k) => k !== i) })}
          >
            Dismiss
          </button>
        </p>
      ))}
      {otherTab && (
        <p className="notice">
          Another tab saved other work ({otherTab}). This tab keeps its own.{' '}
          <button type="button" className="link" onClick={() => work.openOtherTab()}>
            Open it here
          </button>{' '}
          <button type="button" className="link" onClick={() => work.dismissOtherTab()} aria-label="Dismiss the notice about the other tab">
            Dismiss
          </button>
        </p>
      )}
      {previous && (
        <p className="notice" role="status">
          Your previous work ({previous}) is kept.{' '}
          <button type="button" className="link" onClick={() => work.restorePrevious()}>
            Bring it back
          </button>{' '}
          <button type="button" className="link" onClick={() => work.dismissPrevious()} aria-label="Dismiss the notice about previous work">
            Dismiss
          </button>
        </p>
      )}
      {storage && (
        <p className="notice notice-warning" role="status">
          {storage}
        </p>
      )}
      {update && (
        <p className="notice notice-update" role="status">
          A new version is ready —{' '}
          <button type="button" className="link" onClick={update}>
            Reload
          </button>
        </p>
      )}
    </div>
  );
}
