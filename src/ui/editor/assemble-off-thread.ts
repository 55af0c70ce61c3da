// Assembly bounded in time: the page's assembler runs in a worker of its own, and a program it has not
// finished within ASSEMBLE_TIME_LIMIT_MS is reported as an error (Run stays off, the engine never gets
// it) and the worker is replaced. Where there are no workers (tests), it assembles in place.
//
// The last results are cached by source, so that hover, completion and presentation mode read symbols
// and source maps without assembling on the main thread.
import { assemble, type Diagnostic, type SourceMapEntry } from '../../isa/assembler';

// Generous: the limit only decides when to give up on a program (the page never waits for it), and a
// machine shared by many (a lab, CI) can be slow.
export const ASSEMBLE_TIME_LIMIT_MS = 8000;

export interface Assembly {
  readonly diagnostics: readonly Diagnostic[];
  readonly sourceMap: readonly SourceMapEntry[];
  readonly symbols: Readonly<Record<string, number>>;
}

const cache = new Map<string, Assembly>();
let lastSymbols: Readonly<Record<string, number>> = {};

function remember(source: string, a: Assembly): Assembly {
  cache.set(source, a);
  if (cache.size > 16) cache.delete(cache.keys().next().value as string);
  if (a.diagnostics.every((d) => d.severity !== 'error')) lastSymbols = a.symbols;
  return a;
}

/** The assembly of `source` if it is known, without assembling. */
export function knownAssembly(source: string): Assembly | undefined {
  return cache.get(source);
}

/** The symbols of `source` if known, else those of the last program that assembled (never assembles). */
export function knownSymbols(source: string): Readonly<Record<string, number>> {
  return cache.get(source)?.symbols ?? lastSymbols;
}

const TIMED_OUT = 'the assembler did not finish within';

/** Whether diagnostics say the assembler was stopped (the program is not known to be good or bad). */
export function assemblyTimedOut(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.message.startsWith(TIMED_OUT));
}

export function timedOut(limit = ASSEMBLE_TIME_LIMIT_MS): Assembly {
  return {
    diagnostics: [
      {
        line: 1,
        startColumn: 1,
        endColumn: 2,
        severity: 'error',
        message: `${TIMED_OUT} ${limit / 1000} s (a .equ built on itself many times, or a huge expression?): it was stopped so that the page keeps working`,
      },
    ],
    sourceMap: [],
    symbols: {},
  };
}

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (a: Assembly) => void; source: string; timer: ReturnType<typeof setTimeout> }>();

function startWorker(): Worker | null {
  if (typeof Worker === 'undefined') return null;
  try {
    const w = new Worker(new URL('./assemble.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<{ id: number } & Assembly>) => {
      const job = waiting.get(e.data.id);
      if (!job) return;
      waiting.delete(e.data.id);
      clearTimeout(job.timer);
      job.resolve(remember(job.source, { diagnostics: e.data.diagnostics, sourceMap: e.data.sourceMap, symbols: e.data.symbols }));
    };
    return w;
  } catch {
    return null;
  }
}

/** Assembles `source`, in a worker and bounded in time where the browser has workers. */
export function assembleBounded(source: string, limit = ASSEMBLE_TIME_LIMIT_MS): Promise<Assembly> {
  const known = cache.get(source);
  if (known) return Promise.resolve(known);
  worker ??= startWorker();
  if (!worker) {
    const r = assemble(source);
    return Promise.resolve(remember(source, { diagnostics: r.diagnostics, sourceMap: r.sourceMap, symbols: r.symbols }));
  }
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      // The worker is stuck on this program: stop it, answer every job it held, start afresh next time.
      worker?.terminate();
      worker = null;
      for (const [otherId, job] of waiting) {
        clearTimeout(job.timer);
        waiting.delete(otherId);
        assembleBounded(job.source, limit).then(job.resolve);
      }
      resolve(remember(source, timedOut(limit)));
    }, limit);
    waiting.set(id, { resolve, source, timer });
    worker?.postMessage({ id, source });
  });
}
