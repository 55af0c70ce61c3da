// Beside the editor: the scenario's title and notes (Markdown, rendered safely: a link may carry them),
// and for a library scenario its "what to look for" steps as a checklist and "Restore original".
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { libraryEntry, libraryScenario } from '../../scenario/library';
import { Markdown, MarkdownInline } from '../shared/markdown';
import { useApp, useAppStore, useWork } from '../state/context';
import { sameScenario } from '../state/scenario-state';
import { scenarioOf } from '../state/store';

export function GuidePanel() {
  const store = useAppStore();
  const work = useWork();
  const { title, notes, libraryId, lookForDone } = useApp(
    useShallow((s) => ({ title: s.meta.title, notes: s.meta.notes, libraryId: s.libraryId, lookForDone: s.lookForDone })),
  );
  const [open, setOpen] = useState(true);
  const entry = libraryId ? libraryEntry(libraryId) : undefined;
  const shipped = libraryId ? libraryScenario(libraryId) : undefined;
  const edited = useApp((s) => (shipped ? !sameScenario(shipped, scenarioOf(s)) : false));
  if (!entry && !notes && !title) return null;
  const done = new Set(lookForDone);
  return (
    <section className={`panel guide${open ? '' : ' collapsed'}`} aria-label="Scenario notes">
      <h2>
        <button type="button" className="guide-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'} {entry?.title ?? (title || 'Notes')}
        </button>
        {entry && (
          <span className="guide-progress subtitle">
            {done.size} of {entry.lookFor.length} done
          </span>
        )}
        {shipped && (
          <button
            type="button"
            className="link restore"
            disabled={!edited}
            title={edited ? 'Bring the scenario back as shipped (your version is kept one step back)' : 'The scenario is as shipped'}
            onClick={() => work.open(shipped, libraryId)}
          >
            Restore original
          </button>
        )}
      </h2>
      {open && (
        <div className="guide-body">
          <Markdown text={entry ? entry.notes : notes} />
          {entry && (
            <fieldset className="look-for">
              <legend>What to look for</legend>
              {entry.lookFor.map((step, i) => (
                <label key={step} className={`check${done.has(i) ? ' done' : ''}`}>
                  <input type="checkbox" checked={done.has(i)} onChange={(e) => store.commands.setLookFor(i, e.target.checked)} />
                  <span>
                    {i + 1}. <MarkdownInline text={step} />
                  </span>
                </label>
              ))}
            </fieldset>
          )}
        </div>
      )}
    </section>
  );
}
