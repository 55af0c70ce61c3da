// The commands of teaching with the page rather than running it: opening a whole scenario (a link, the
// library, saved work, "Restore original"), the library entry's checklist, presentation mode and the
// banners about links. Apart from the run's commands because they replace or annotate what the run is of,
// and come back to the run only through `load` and a deferred seek.
import type { CommandContext, Commands } from './command-types';
import { fieldsOfScenario, libraryEntryOf } from './scenario-state';

export type LectureCommands = Pick<
  Commands,
  'openScenario' | 'takeSettingsOf' | 'setLookFor' | 'setPresentation' | 'setLinkProblem' | 'seekWhenLoaded'
>;

/** `load` sends the state's scenario to the worker (the run commands' own). */
export function lectureCommands({ store, bus, loads }: CommandContext, load: () => void): LectureCommands {
  return {
    openScenario: (scenario, libraryId) => {
      const f = fieldsOfScenario(scenario);
      const id = libraryId === undefined ? (libraryEntryOf(scenario)?.id ?? null) : libraryId;
      const s = store.getState();
      store.setState({
        ...f,
        settings: {
          ...f.settings,
          exits: { ...f.settings.exits, exceptions: f.settings.exits.exceptions && [...f.settings.exits.exceptions] },
        },
        source: f.vms[0]?.source ?? '',
        activeVm: 0,
        vmDiagnostics: f.vms.map(() => []),
        diagnostics: [],
        libraryId: id,
        lookForDone: id !== null && id === s.libraryId ? s.lookForDone : [],
        viewVm: null,
      });
      // The worker keeps the breakpoints it was last sent for later loads: these are the scenario's.
      bus.send({ kind: 'breakpoints', breakpoints: f.breakpoints });
      load();
    },
    takeSettingsOf: (scenario) => {
      const f = fieldsOfScenario(scenario);
      const s = store.getState();
      store.setState({
        technique: f.technique,
        isa: f.isa,
        settings: {
          ...f.settings,
          exits: { ...f.settings.exits, exceptions: f.settings.exits.exceptions && [...f.settings.exits.exceptions] },
        },
        meta: { ...s.meta, timeSlice: f.meta.timeSlice },
      });
      load();
    },
    setLookFor: (index, done) => {
      const list = store.getState().lookForDone.filter((i) => i !== index);
      store.setState({ lookForDone: done ? [...list, index].sort((a, b) => a - b) : list });
    },
    setPresentation: (presentation) => store.setState({ presentation }),
    setLinkProblem: (linkProblem) => store.setState({ linkProblem }),
    seekWhenLoaded: (steps) => {
      loads.pendingSeek = steps;
    },
  };
}
