// What the page's commands are (commands.ts builds them, lecture-commands.ts some of them) and what they
// share with the store that owns them. Apart from both, so that neither imports the other.
import type { StoreApi } from 'zustand/vanilla';
import type { Diagnostic } from '../../isa/assembler';
import type { Variant } from '../../isa/table';
import type { EngineBus, EventAt, EventFilter, EventKind, Speed, TechniqueId } from '../../protocol/messages';
import type { Scenario } from '../../scenario/scenario';
import type { AppState, MachineSettings, VmSource } from './app-state';

export interface Commands {
  /** Sets VM 0's program. */
  setSource(source: string): void;
  setVmSource(vm: number, source: string): void;
  /** Replaces every VM's program (a scenario with several VMs); breakpoints of VMs that are gone go too. */
  setVms(vms: readonly VmSource[]): void;
  setActiveVm(vm: number): void;
  /** VM 0's diagnostics. */
  setDiagnostics(diagnostics: readonly Diagnostic[]): void;
  setVmDiagnostics(vm: number, diagnostics: readonly Diagnostic[]): void;
  toggleBreakpoint(vm: number, line: number): void;
  /** Replaces one VM's breakpoints (the editor moves them with the lines they sit on). */
  setBreakpoints(vm: number, lines: readonly number[]): void;
  setTechnique(technique: TechniqueId): void;
  setIsa(isa: Variant): void;
  /** Sends the editor's program to the worker (a fresh run, paused at its first instruction). */
  load(): void;
  run(): void;
  pause(): void;
  step(count?: number): void;
  reset(): void;
  /** Changes cost preset, paging, hypervisor type or exit controls: the run is loaded again. */
  setSettings(patch: Partial<MachineSettings>): void;
  /** Technique, instruction set and settings at once (a real product chosen): the run is loaded once. */
  setMachine(machine: { technique?: TechniqueId; isa?: Variant; settings?: Partial<MachineSettings> }): void;
  setSpeed(speed: Speed): void;
  /** Runs to the next hypervisor event. */
  stepToEvent(): void;
  /** One instruction back, or back to the previous hypervisor event. */
  stepBack(by: 'instruction' | 'event'): void;
  /** Moves the whole run to the moment `steps` instructions had retired. */
  seek(steps: number): void;
  /** Moves the run to the moment the `index`th event had happened. */
  seekEvent(index: number): void;
  setEventFilter(filter: EventFilter): void;
  /** Shows memory around a guest-physical address, or around the PC (null). */
  setMemoryAddress(address: number | null): void;
  /**
   * Replaces the whole scenario (a link, the library, saved work, "Restore original") and loads it.
   * `libraryId` names the library entry it is (found from its title and notes when not given).
   */
  openScenario(scenario: Scenario, libraryId?: string | null): void;
  /**
   * Takes the machine settings of `scenario` (technique, instruction set, preset, paging, type, vendor, exit
   * controls, time slice) and loads the run again, programs unchanged: a Guide step's own settings.
   */
  takeSettingsOf(scenario: Scenario): void;
  /** Ticks or unticks a "what to look for" step. */
  setLookFor(index: number, done: boolean): void;
  setPresentation(on: boolean): void;
  /** Shows (or, with null, dismisses) the banner about a refused link. */
  setLinkProblem(reason: string | null): void;
  /** Goes to a moment of the run once the load under way has been answered (a link's `at=`). */
  seekWhenLoaded(steps: number): void;
  /** Takes a checkpoint of a VM (the one shown, by default) at this moment. */
  takeCheckpoint(vm?: number): void;
  /** Puts a listed checkpoint's VM back to it at this moment. */
  restoreCheckpoint(index: number): void;
  deleteCheckpoint(index: number): void;
  /** Starts a new VM from a checkpoint, beside its original (the run is loaded again). */
  cloneCheckpoint(index: number): void;
  /** The scenario's live migration (null: none); the run is loaded again. */
  setMigration(migration: Scenario['migration'] | null): void;
  /** Predict mode on or off: when on, Step to event first asks what happens next. */
  setPredict(on: boolean): void;
  /** The student's answer to the question on screen: scored, then the run steps to the event and it is revealed. */
  answerPrediction(kind: EventKind): void;
}

/**
 * Loads and resets sent but not yet answered. Each is answered by exactly one message (the store's
 * ANSWERS_LOAD); while one is outstanding, the worker's last status belongs to the run being replaced,
 * and a Run or Step sent now reaches the fresh run anyway.
 */
export interface Loads {
  outstanding: number;
  /** A moment to go to once the load under way is answered. */
  pendingSeek: number | null;
}

/** What the commands share with the store that owns them. */
export interface CommandContext {
  readonly store: StoreApi<AppState>;
  readonly bus: EngineBus;
  /** The state with every message received so far, drawn or not: what decisions are based on. */
  latest(): AppState;
  readonly loads: Loads;
  /** Asks the worker for the next hypervisor event without moving the run (null: none comes). */
  peekNext(): Promise<EventAt | null>;
}
