// The editor's wiring in the page store: several VMs, breakpoints that reach the engine with the
// scenario (and a run that keeps its place when they change), the instruction set variant.
import { describe, expect, it } from 'vitest';
import type { EngineBus, PageMessage, RunStatus, WorkerMessage } from '../../protocol/messages';
import { createAppStore, editorIsLoaded, IDLE } from '../state/store';

function fakeBus() {
  const sent: PageMessage[] = [];
  let listener: ((m: WorkerMessage) => void) | null = null;
  const bus: EngineBus = {
    send: (m) => sent.push(m),
    subscribe: (l) => {
      listener = l;
      return () => {
        listener = null;
      };
    },
    dispose: () => {},
  };
  const deliver = (m: WorkerMessage) => listener?.(m);
  const status = (s: Partial<RunStatus>) => deliver({ kind: 'status', status: { ...IDLE, ...s } });
  return { bus, sent, deliver, status, kinds: () => sent.map((m) => m.kind) };
}

function lastLoad(sent: readonly PageMessage[]) {
  const load = sent.filter((m) => m.kind === 'load').at(-1);
  if (load?.kind !== 'load') throw new Error('no load sent');
  return load;
}

/** A store that has loaded its program, with the worker's answer in. */
function loaded() {
  const w = fakeBus();
  const store = createAppStore(w.bus, (f) => f());
  store.commands.load();
  w.deliver({ kind: 'loaded', technique: 'native', vms: ['vm1'] });
  w.status({ state: 'paused', steps: 0 });
  w.sent.length = 0;
  return { w, store };
}

describe('breakpoints in the store', () => {
  it('go to the worker as they change, as { vm, line }, without loading the run again', () => {
    const { w, store } = loaded();
    store.commands.toggleBreakpoint(0, 5);
    expect(w.sent).toEqual([{ kind: 'breakpoints', breakpoints: [{ vm: 0, line: 5 }] }]);
    store.commands.toggleBreakpoint(0, 5);
    expect(w.sent.at(-1)).toEqual({ kind: 'breakpoints', breakpoints: [] });
    expect(w.kinds()).not.toContain('load');
  });

  it('travel with the scenario on every load', () => {
    const { w, store } = loaded();
    store.commands.toggleBreakpoint(0, 3);
    store.commands.load();
    expect(lastLoad(w.sent).scenario).toMatchObject({ breakpoints: [{ vm: 0, line: 3 }] });
  });

  it('move with their lines and are not sent again when nothing changed', () => {
    const { w, store } = loaded();
    store.commands.setBreakpoints(0, [7, 3, 3]);
    expect(store.getState().breakpoints).toEqual([
      { vm: 0, line: 3 },
      { vm: 0, line: 7 },
    ]);
    w.sent.length = 0;
    store.commands.setBreakpoints(0, [3, 7]);
    expect(w.sent).toEqual([]);
  });

  it('changed in the middle of a run: the run keeps its place and the editor still shows what runs', () => {
    const { w, store } = loaded();
    store.commands.step(40);
    w.status({ state: 'paused', steps: 40 });
    w.sent.length = 0;
    store.commands.toggleBreakpoint(0, 4);
    expect(w.kinds()).toEqual(['breakpoints']);
    expect(editorIsLoaded(store.getState())).toBe(true);
    // Run continues the same run (no load first).
    store.commands.run();
    expect(w.kinds()).toEqual(['breakpoints', 'run']);
  });

  it('changed while the editor is ahead of the worker: the next Run loads program and breakpoints together', () => {
    const { w, store } = loaded();
    store.commands.setSource('  NOP\n  HLT\n');
    store.commands.toggleBreakpoint(0, 2);
    expect(editorIsLoaded(store.getState())).toBe(false);
    w.sent.length = 0;
    store.commands.run();
    expect(w.kinds()).toEqual(['load', 'run']);
    expect(lastLoad(w.sent).scenario).toMatchObject({ breakpoints: [{ vm: 0, line: 2 }] });
  });
});

describe('several VMs in the store', () => {
  it('sends every VM and keeps source as VM 0', () => {
    const w = fakeBus();
    const store = createAppStore(w.bus, (f) => f());
    store.commands.setVms([
      { name: 'a', source: '  HLT\n' },
      { name: 'b', source: '  NOP\n' },
    ]);
    store.commands.setVmSource(1, '  CLI\n');
    expect(store.getState().source).toBe('  HLT\n');
    store.commands.load();
    expect(lastLoad(w.sent).scenario).toMatchObject({
      vms: [
        { name: 'a', source: '  HLT\n' },
        { name: 'b', source: '  CLI\n' },
      ],
    });
  });

  it('keeps diagnostics per VM, and any error disables running', () => {
    const w = fakeBus();
    const store = createAppStore(w.bus, (f) => f());
    store.commands.setVms([
      { name: 'a', source: '' },
      { name: 'b', source: '' },
    ]);
    const error = { line: 1, startColumn: 1, endColumn: 2, severity: 'error' as const, message: 'x' };
    store.commands.setVmDiagnostics(1, [error]);
    expect(store.getState().vmDiagnostics).toEqual([[], [error]]);
    expect(store.getState().diagnostics).toEqual([error]);
    w.deliver({ kind: 'assembly-errors', errors: [{ vm: 0, name: 'a', diagnostics: [error] }] });
    expect(store.getState().vmDiagnostics).toEqual([[error], []]);
  });

  it('drops the breakpoints of VMs that are gone', () => {
    const w = fakeBus();
    const store = createAppStore(w.bus, (f) => f());
    store.commands.setVms([
      { name: 'a', source: '' },
      { name: 'b', source: '' },
    ]);
    store.commands.setActiveVm(1);
    store.commands.toggleBreakpoint(1, 3);
    store.commands.setVms([{ name: 'a', source: '' }]);
    expect(store.getState().breakpoints).toEqual([]);
    expect(store.getState().activeVm).toBe(0);
  });
});

describe('the instruction set in the store', () => {
  it('is a load option and reloads when it changes', () => {
    const w = fakeBus();
    const store = createAppStore(w.bus, (f) => f());
    store.commands.setIsa('strict');
    expect(lastLoad(w.sent).options.isa).toBe('strict');
  });
});
