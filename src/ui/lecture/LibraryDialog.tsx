// The scenario library: every lecture scenario with its title and topics; the one chosen shows its
// notes (Markdown, rendered safely) and what to look for, and opens over the current work (which is kept
// one step back).
import { useState } from 'react';
import { LIBRARY, libraryScenario } from '../../scenario/library';
import { Dialog } from '../shared/Dialog';
import { Markdown, MarkdownInline } from '../shared/markdown';
import { useApp, useWork } from '../state/context';

export function LibraryDialog({ onClose }: { onClose: () => void }) {
  const work = useWork();
  const current = useApp((s) => s.libraryId);
  const [chosen, setChosen] = useState(current ?? LIBRARY[0].id);
  const entry = LIBRARY.find((e) => e.id === chosen) ?? LIBRARY[0];
  const scenario = libraryScenario(entry.id);
  const open = (id: string) => {
    const sc = libraryScenario(id);
    if (!sc) return;
    work.open(sc, id);
    onClose();
  };
  return (
    <Dialog title="Scenario library" onClose={onClose} wide className="library-dialog">
      <div className="library-layout">
        <ul className="library-list" aria-label="Scenarios">
          {LIBRARY.map((e) => (
            <li key={e.id}>
              <button
                type="button"
                className={`library-item${e.id === chosen ? ' chosen' : ''}`}
                aria-pressed={e.id === chosen}
                onClick={() => setChosen(e.id)}
                onDoubleClick={() => open(e.id)}
              >
                <span className="library-title">{e.title}</span>
                <span className="library-topics">{e.topics.join(' · ')}</span>
              </button>
            </li>
          ))}
        </ul>
        <article className="library-preview" aria-label={entry.title}>
          <h3>{entry.title}</h3>
          <p className="library-meta">
            {scenario?.technique} · {scenario?.isa} · preset {scenario?.preset}
            {scenario && scenario.vms.length > 1 ? ` · ${scenario.vms.length} VMs` : ''}
            {scenario?.hypervisor.type === 2 ? ' · type 2' : ''}
          </p>
          <ul className="topics" aria-label="Topics">
            {entry.topics.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
          <Markdown text={entry.notes} />
          <h4>What to look for</h4>
          <ol>
            {entry.lookFor.map((step) => (
              <li key={step}>
                <MarkdownInline text={step} />
              </li>
            ))}
          </ol>
          <p className="library-open">
            <button type="button" className="action action-run" onClick={() => open(entry.id)}>
              Open “{entry.title}”
            </button>
          </p>
        </article>
      </div>
    </Dialog>
  );
}
