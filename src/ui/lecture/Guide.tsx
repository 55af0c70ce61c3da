// Beside the editor: the scenario's title and notes (Markdown, rendered safely: a link may carry them),
// and for a library scenario its "what to look for" steps as a checklist and "Restore original". When the
// run has ended, the worker checks each step that this run is about (its declarative check, docs/checks.md)
// and the page ticks the steps it saw; "Show me" moves the run to the moment a step was seen. A step
// about other settings says which, and offers to switch to them. Ticks stay the student's to change.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { StepCheck } from '../../protocol/messages';
import { libraryEntry, libraryScenario } from '../../scenario/library';
import { fmt } from '../shared/format';
import { Markdown, MarkdownInline } from '../shared/markdown';
import { useApp, useAppStore, useWork } from '../state/context';
import { sameScenario } from '../state/scenario-state';
import { scenarioOf } from '../state/store';
import { isStepRun, settingsWords, stepScenario } from './step-runs';

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
  /** Which steps the page's run is about (its settings are the step's). */
  const ours = useApp(
    useShallow((s) => (entry && shipped ? entry.steps.map((step) => isStepRun(scenarioOf(s), shipped, step.settings)) : [])),
  );
  const ended = useApp((s) => s.status.state === 'stopped' && s.status.stop === 'all-stopped' && s.loadsAnswered === s.loadsSent);
  const run = useApp((s) => s.loadsSent);
  const [checked, setChecked] = useState<{ run: number; results: ReadonlyMap<number, StepCheck> } | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `ours` is read through its joined value, `checked` only to skip a run already checked
  useEffect(() => {
    if (!entry || !ended || checked?.run === run) return;
    const steps = entry.steps.flatMap((step, index) => (ours[index] && step.check ? [{ index, check: step.check }] : []));
    if (steps.length === 0) return;
    const { answer, cancel } = store.ask({ kind: 'check-steps', steps });
    let live = true;
    answer.then((a) => {
      if (!live || a?.kind !== 'steps-checked') return;
      setChecked({ run, results: new Map(a.results.map((r) => [r.index, r])) });
      for (const r of a.results) if (r.seen && !store.getState().lookForDone.includes(r.index)) store.commands.setLookFor(r.index, true);
    });
    return () => {
      live = false;
      cancel();
    };
  }, [entry, ended, run, ours.join(), store]);

  if (!entry && !notes && !title) return null;
  const done = new Set(lookForDone);
  const results = checked?.run === run ? checked.results : null;
  const showMe = (r: StepCheck) => {
    if (r.event !== null) store.commands.seekEvent(r.event);
    else if (r.step !== null) store.commands.seek(r.step);
  };
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
          {entry && shipped && (
            <fieldset className="look-for">
              <legend>What to look for</legend>
              {entry.steps.map((step, i) => {
                const r = results?.get(i);
                return (
                  // biome-ignore lint/a11y/useSemanticElements: a step's checkbox, its state and its button, named together
                  <div key={step.text} role="group" aria-label={`Step ${i + 1}`} className="look-for-step">
                    <label className={`check${done.has(i) ? ' done' : ''}`}>
                      <input type="checkbox" checked={done.has(i)} onChange={(e) => store.commands.setLookFor(i, e.target.checked)} />
                      <span>
                        {i + 1}. <MarkdownInline text={step.text} />
                      </span>
                    </label>
                    <p className="step-state">
                      {!ours[i] ? (
                        <>
                          Seen under {settingsWords(step.settings)}.{' '}
                          <button
                            type="button"
                            className="link"
                            onClick={() => store.commands.takeSettingsOf(stepScenario(shipped, step.settings))}
                          >
                            Use these settings
                          </button>
                        </>
                      ) : r?.seen ? (
                        <>
                          ✓ Seen in this run{r.step !== null ? ` at step ${fmt(r.step)}` : ''}.{' '}
                          <button type="button" className="link" onClick={() => showMe(r)}>
                            Show me
                          </button>
                        </>
                      ) : r ? (
                        <span title={r.why}>Not seen in this run.</span>
                      ) : (
                        'Run to the end: the page checks it.'
                      )}
                    </p>
                  </div>
                );
              })}
            </fieldset>
          )}
        </div>
      )}
    </section>
  );
}
