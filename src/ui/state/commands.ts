// The page's commands: what the controls, the editor and the keyboard do to the state and ask of the
// engine worker. Every command decides from the latest state (messages received but not yet drawn
// included), so that two clicks within one frame do not both act on a status that is already out of date.
import type { EventKind, LoadOptions } from '../../protocol/messages';
import { scenarioToJson } from '../../scenario/scenario';
import { predictChoices, TECHNIQUE_KINDS } from '../lecture/predict';
import {
  type AppState,
  type Breakpoint,
  editorIsLoaded,
  hasErrors,
  INTERACTIVE_MAX_STEPS,
  keyOf,
  scenarioOf,
  type VmSource,
} from './app-state';
import { checkpointCommands } from './checkpoint-commands';
import type { CommandContext, Commands } from './command-types';
import { lectureCommands } from './lecture-commands';

export type { CommandContext, Commands, Loads } from './command-types';

export function createCommands(ctx: CommandContext): Commands {
  const { store, bus, latest, loads, peekNext } = ctx;
  const setPredict = (patch: Partial<AppState['predict']>) => store.setState({ predict: { ...store.getState().predict, ...patch } });
  const options = (): LoadOptions => {
    const { technique, isa, settings } = store.getState();
    return {
      technique,
      isa,
      preset: settings.preset,
      paging: settings.paging,
      hypervisorType: settings.hypervisorType,
      exits: settings.exits,
      maxSteps: INTERACTIVE_MAX_STEPS,
      events: true,
    };
  };
  const setVms = (vms: readonly VmSource[]) => store.setState({ vms, source: vms[0]?.source ?? '' });
  /**
   * Breakpoints go to the worker as they change: it sets them in the run in place (the run keeps its
   * place, running or paused) and keeps them for later loads and resets. Every load carries them in
   * the scenario too.
   */
  const changeBreakpoints = (breakpoints: readonly Breakpoint[]) => {
    const before = latest();
    store.setState({ breakpoints });
    bus.send({ kind: 'breakpoints', breakpoints });
    // The run the worker holds has them now: if it was the editor's program, it still is.
    if (editorIsLoaded(before)) store.setState({ loadedKey: keyOf(store.getState()) });
  };
  const commands: Commands = {
    setSource: (source) => commands.setVmSource(0, source),
    setVmSource: (vm, source) => {
      const vms = store.getState().vms;
      if (vm < 0 || vm >= vms.length) return;
      setVms(vms.map((v, i) => (i === vm ? { ...v, source } : v)));
    },
    setVms: (vms) => {
      const s = store.getState();
      store.setState({
        activeVm: Math.min(s.activeVm, Math.max(0, vms.length - 1)),
        breakpoints: s.breakpoints.filter((b) => b.vm < vms.length),
        vmDiagnostics: vms.map(() => []),
        diagnostics: [],
      });
      setVms(vms);
    },
    setActiveVm: (vm) => {
      if (vm >= 0 && vm < store.getState().vms.length) store.setState({ activeVm: vm });
    },
    setDiagnostics: (diagnostics) => commands.setVmDiagnostics(0, diagnostics),
    setVmDiagnostics: (vm, d) => {
      const vmDiagnostics = store.getState().vms.map((_, i) => (i === vm ? d : (store.getState().vmDiagnostics[i] ?? [])));
      const diagnostics = vmDiagnostics.flat();
      store.setState({ diagnostics, vmDiagnostics });
      // With nothing runnable loaded, a program that assembles is loaded at once: the panels show its
      // first instruction, and a technique that refuses it says so before anyone presses Run.
      const s = latest();
      if (!hasErrors(diagnostics) && s.status.state === 'idle' && s.loadedKey !== keyOf(s)) commands.load();
    },
    toggleBreakpoint: (vm, line) => {
      const list = store.getState().breakpoints;
      const on = list.some((b) => b.vm === vm && b.line === line);
      changeBreakpoints(on ? list.filter((b) => b.vm !== vm || b.line !== line) : [...list, { vm, line }]);
    },
    setBreakpoints: (vm, lines) => {
      const list = store.getState().breakpoints;
      const mine = [...new Set(lines)].sort((a, b) => a - b);
      const old = list.filter((b) => b.vm === vm).map((b) => b.line);
      if (old.length === mine.length && old.every((l, i) => l === mine[i])) return;
      changeBreakpoints([...list.filter((b) => b.vm !== vm), ...mine.map((line) => ({ vm, line }))]);
    },
    setTechnique: (technique) => {
      store.setState({ technique });
      commands.load();
    },
    setIsa: (isa) => {
      store.setState({ isa });
      commands.load();
    },
    load: () => {
      const s = store.getState();
      store.setState({ loadedKey: keyOf(s), loadsSent: s.loadsSent + 1 });
      loads.outstanding++;
      bus.send({ kind: 'load', scenario: scenarioToJson(scenarioOf(s)), options: options() });
    },
    run: () => {
      prepareToGo();
      bus.send({ kind: 'run' });
    },
    pause: () => {
      bus.send({ kind: 'pause' });
    },
    step: (count = 1) => {
      prepareToGo();
      bus.send({ kind: 'step', count });
    },
    reset: () => {
      const s = latest();
      if (s.loadedKey !== keyOf(s)) commands.load();
      else if (loads.outstanding > 0) return;
      else if (s.status.state === 'idle') commands.load();
      else sendReset();
    },
    setSettings: (patch) => {
      store.setState({ settings: { ...store.getState().settings, ...patch } });
      commands.load();
    },
    setMachine: ({ technique, isa, settings }) => {
      const s = store.getState();
      store.setState({ technique: technique ?? s.technique, isa: isa ?? s.isa, settings: { ...s.settings, ...settings } });
      commands.load();
    },
    setSpeed: (speed) => {
      store.setState({ speed });
      bus.send({ kind: 'speed', speed });
    },
    stepToEvent: () => {
      const { predict } = latest();
      if (!predict.on) {
        prepareToGo();
        bus.send({ kind: 'step-to-event' });
        return;
      }
      // Predict mode: first the question (its answer steps), one at a time.
      if (predict.asking || predict.question) return;
      prepareToGo();
      setPredict({ asking: true, last: null });
      void peekNext().then((next) => {
        const s = store.getState();
        if (!s.predict.on || !s.predict.asking) return;
        if (!next) {
          // Nothing comes (the run ends first): nothing to predict; the step says so by not moving.
          setPredict({ asking: false });
          bus.send({ kind: 'step-to-event' });
          return;
        }
        const seen = Object.keys(s.snapshot?.eventCounts ?? {}) as EventKind[];
        const technique = s.snapshot?.technique ?? s.technique;
        const choices = predictChoices(next.event.kind, [...TECHNIQUE_KINDS[technique], ...seen], next.index);
        setPredict({ asking: false, question: { next, choices } });
      });
    },
    setPredict: (on) => setPredict({ on, asking: false, question: null, last: null }),
    answerPrediction: (kind) => {
      const { predict } = latest();
      const q = predict.question;
      if (!q) return;
      const actual = q.next.event.kind;
      setPredict({
        question: null,
        last: { chosen: kind, actual },
        right: predict.right + (kind === actual ? 1 : 0),
        answered: predict.answered + 1,
      });
      prepareToGo();
      bus.send({ kind: 'step-to-event' });
    },
    stepBack: (by) => {
      if (canTravel()) bus.send({ kind: 'step-back', by });
    },
    seek: (steps) => {
      if (canTravel()) bus.send({ kind: 'seek', steps });
    },
    seekEvent: (index) => {
      if (canTravel()) bus.send({ kind: 'seek-event', index });
    },
    setEventFilter: (eventFilter) => store.setState({ eventFilter }),
    setMemoryAddress: (address) => bus.send({ kind: 'memory-view', address }),
    ...lectureCommands(ctx, () => commands.load()),
    ...checkpointCommands(ctx, () => commands.load()),
  };

  /** Time travel moves within the run the editor shows; a run being replaced has no timeline yet. */
  function canTravel(): boolean {
    const s = latest();
    return s.loadedKey === keyOf(s) && loads.outstanding === 0 && s.status.state !== 'idle';
  }

  function sendReset() {
    loads.outstanding++;
    bus.send({ kind: 'reset' });
  }

  /** Run and Step use what the editor holds now, and start over once a run has ended. */
  function prepareToGo() {
    const s = latest();
    if (s.loadedKey !== keyOf(s)) commands.load();
    else if (loads.outstanding > 0) return;
    else if (s.status.state === 'idle') commands.load();
    else if (s.status.state === 'stopped') sendReset();
  }

  return commands;
}
