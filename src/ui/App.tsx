import { useEffect } from 'react';
import { StoreContext } from './context';
import { Dock } from './Dock';
import { useKeyboard } from './keyboard';
import './panels/panels.css';
import { ProblemBanner } from './Problem';
import { ConsolePanel } from './panels/Console';
import { EditorPanel } from './panels/Editor';
import { EventsPanel } from './panels/Events';
import { MachinePanel } from './panels/Machine';
import { RegistersPanel } from './panels/Registers';
import { Settings } from './Settings';
import { Status } from './Status';
import type { AppStore } from './store';
import { Timeline } from './Timeline';
import { Toolbar } from './Toolbar';

export function App({ store }: { store: AppStore }) {
  useKeyboard(store);
  useEffect(() => {
    // Load the editor's program so the panels show the machine at its first instruction.
    store.commands.load();
  }, [store]);
  return (
    <StoreContext value={store}>
      <header className="app-header">
        <h1>VirtLab</h1>
        <Toolbar />
        <Settings />
      </header>
      <Timeline status={<Status />} />
      <ProblemBanner />
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
          <EventsPanel />
          <Dock />
        </div>
      </main>
    </StoreContext>
  );
}
