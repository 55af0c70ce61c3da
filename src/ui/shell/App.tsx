import { useCallback, useEffect, useState } from 'react';
import { GuidePanel } from '../lecture/Guide';
import { LectureBar } from '../lecture/LectureBar';
import { StoreContext, useApp, WorkContext } from '../state/context';
import { Dock } from './Dock';
import { useKeyboard } from './keyboard';
import { LinkProblemBanner, WorkNotices } from './Notices';
import '../panels/panels.css';
import '../lecture/lecture.css';
import { EditorPanel } from '../editor/Editor';
import { PredictPanel } from '../lecture/Predict';
import { Presentation } from '../lecture/Presentation';
import { ConsolePanel } from '../panels/console/Console';
import { EventsPanel } from '../panels/events/Events';
import { MachinePanel } from '../panels/machine/Machine';
import { RegistersPanel } from '../panels/registers/Registers';
import { Timeline } from '../panels/timeline/Timeline';
import type { WorkKeeper } from '../saved-work/work';
import type { AppStore } from '../state/store';
import { ProblemBanner } from './Problem';
import { Settings } from './Settings';
import { Status } from './Status';
import { Toolbar } from './Toolbar';

export function App({ store, work }: { store: AppStore; work: WorkKeeper }) {
  useKeyboard(store);
  return (
    <StoreContext value={store}>
      <WorkContext value={work}>
        <Page />
      </WorkContext>
    </StoreContext>
  );
}

function Page() {
  const presentation = useApp((s) => s.presentation);
  // Dialogs (Popek–Goldberg, keys) read presentation mode's large type from the root element.
  useEffect(() => {
    if (presentation) document.documentElement.dataset.presentation = '';
    else delete document.documentElement.dataset.presentation;
  }, [presentation]);
  const [showMachine, setShowMachine] = useState(false);
  const toggleView = useCallback(() => setShowMachine((m) => !m), []);
  return (
    <>
      {/* The workspace stays mounted (and hidden) in presentation mode: the editor and panels keep their state. */}
      <div className="app" hidden={presentation}>
        <header className="app-header">
          <h1>VirtLab</h1>
          <Toolbar />
          <Settings />
        </header>
        <Timeline status={<Status />}>
          <LectureBar />
        </Timeline>
        <section className="messages" aria-label="Messages">
          <LinkProblemBanner />
          <ProblemBanner />
          <WorkNotices />
        </section>
        <main className="workspace">
          <div className="column column-program">
            <EditorPanel />
            <ConsolePanel />
          </div>
          <div className="column column-machine">
            <MachinePanel />
            <RegistersPanel />
          </div>
          <div className="column column-events">
            {/* The notes sit above the events, not above the editor: the editor keeps its height for live coding. */}
            <GuidePanel />
            <PredictPanel />
            <EventsPanel />
            <Dock />
          </div>
        </main>
      </div>
      {presentation && <Presentation showMachine={showMachine} onToggleView={toggleView} />}
    </>
  );
}
