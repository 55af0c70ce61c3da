// The Memory, Costs, Inspector, Sequence, Checkpoints and Migration panels share one place as tabs (a projector at 1280×720 has no room
// for all of them at once). Arrow keys move between tabs (the WAI-ARIA tabs pattern); only the panel
// shown renders, so the others cost nothing while the run goes.
import { useRef, useState } from 'react';
import { CheckpointsPanel } from '../panels/checkpoints/Checkpoints';
import { CostsPanel } from '../panels/costs/Costs';
import { InspectorPanel } from '../panels/inspector/Inspector';
import { MemoryPanel } from '../panels/memory/Memory';
import { MigrationPanel } from '../panels/migration/Migration';
import { SequencePanel } from '../panels/sequence/Sequence';

const TABS = [
  { id: 'memory', label: 'Memory', Panel: MemoryPanel },
  { id: 'costs', label: 'Costs', Panel: CostsPanel },
  { id: 'inspector', label: 'Inspector', Panel: InspectorPanel },
  { id: 'checkpoints', label: 'Checkpoints', Panel: CheckpointsPanel },
  { id: 'migration', label: 'Migration', Panel: MigrationPanel },
  { id: 'sequence', label: 'Sequence', Panel: SequencePanel },
] as const;

type TabId = (typeof TABS)[number]['id'];

export function Dock() {
  const [selected, setSelected] = useState<TabId>('costs');
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const index = TABS.findIndex((t) => t.id === selected);
  const move = (i: number) => {
    const n = (i + TABS.length) % TABS.length;
    setSelected(TABS[n].id);
    tabs.current[n]?.focus();
  };
  const { Panel } = TABS[index];
  return (
    <div className="dock">
      <div className="tabs" role="tablist" aria-label="Details">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === selected}
            aria-controls={`tabpanel-${t.id}`}
            tabIndex={t.id === selected ? 0 : -1}
            onClick={() => setSelected(t.id)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight') move(i + 1);
              else if (e.key === 'ArrowLeft') move(i - 1);
              else if (e.key === 'Home') move(0);
              else if (e.key === 'End') move(TABS.length - 1);
              else return;
              e.preventDefault();
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="tabpanel" role="tabpanel" id={`tabpanel-${selected}`} aria-labelledby={`tab-${selected}`}>
        <Panel />
      </div>
    </div>
  );
}
