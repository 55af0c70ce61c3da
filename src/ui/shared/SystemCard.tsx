// One real product: what it did, the settings VirtLab stands in for it with, and what VirtLab simplifies
// (the data of `virtlab systems`, as plain text: never HTML).
import type { RealSystem } from './real-systems';
import { settingsWords } from './real-systems';

export function SystemCard({ system }: { system: RealSystem }) {
  return (
    <div className="system-card">
      <p>
        <b>
          {system.name} ({system.year})
        </b>
        {system.technique === null ? ': not a virtual machine.' : `: ${settingsWords(system)}.`}
      </p>
      <p>{system.summary}</p>
      <p>
        <b>{system.technique === null ? 'Why VirtLab does not show it: ' : 'What VirtLab simplifies: '}</b>
        {system.simplifies}
      </p>
    </div>
  );
}
