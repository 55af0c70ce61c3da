import { useEffect } from 'react';
import { StoreContext } from './context';
import { useKeyboard } from './keyboard';
import { ProblemBanner } from './Problem';
import { ConsolePanel } from './panels/Console';
import { EditorPanel } from './panels/Editor';
import { EventsPanel } from './panels/Events';
import { MachinePanel } from './panels/Machine';
import { RegistersPanel } from './panels/Registers';
import { Status } from './Status';
import type { AppStore } from './store';
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
        <Status />
      </header>
      <ProblemBanner />
      <main className="workspace">
        <EditorPanel />
        <ConsolePanel />
        <RegistersPanel />
        <MachinePanel />
        <EventsPanel />
      </main>
    </StoreContext>
  );
}
