// The run a "what to look for" check is evaluated over (src/scenario/checks.ts): the scenario to its end,
// with its events (no `instruction` events). `virtlab check` runs each step's settings with it, and the
// page's worker the runs a check asks for beside the page's own (bare metal, `cheaper`).
import type { CheckRun, RunEvent } from '../scenario/checks';
import type { Scenario } from '../scenario/scenario';
import type { TraceEvent } from '../trace/events';
import { prepare } from './engine';
import { runPlan } from './migration';

/** Events kept per run for the checks (no `instruction` events); a run past it is checked on its first ones. */
export const CHECK_EVENT_LIMIT = 2_000_000;

export function runForCheck(s: Scenario): CheckRun | { skipped: string } {
  if (s.checkpoints?.length || s.migration) {
    // Checkpoints and migrations are driven around the engine (hypervisor/migration): the same run `run` makes.
    const events: TraceEvent[] = [];
    const sink = {
      push: (e: TraceEvent) => {
        if (e.kind !== 'instruction' && events.length < CHECK_EVENT_LIMIT) events.push(e);
      },
    };
    const r = runPlan(s, {}, undefined, sink);
    if (r.kind === 'refused') return { skipped: r.reason };
    if (r.kind === 'assembly-errors') return { skipped: `assembly errors in ${r.errors.map((e) => e.name).join(', ')}` };
    if (r.kind === 'invalid') return { skipped: r.errors.join('; ') };
    return { ...r.result, events: events as unknown as RunEvent[] } as unknown as CheckRun;
  }
  const p = prepare(s, {});
  if (p.kind === 'refused') return { skipped: p.reason };
  if (p.kind === 'assembly-errors') return { skipped: `assembly errors in ${p.errors.map((e) => e.name).join(', ')}` };
  if (p.kind === 'invalid') return { skipped: p.errors.join('; ') };
  const engine = p.engine;
  engine.checkpointInterval = Number.MAX_SAFE_INTEGER;
  const events: TraceEvent[] = [];
  engine.setEventSink(
    {
      push: (e) => {
        if (events.length < CHECK_EVENT_LIMIT) events.push(e);
      },
    },
    false,
  );
  engine.runToEnd();
  const r = engine.result();
  return { ...r, events: events as unknown as RunEvent[] } as unknown as CheckRun;
}
