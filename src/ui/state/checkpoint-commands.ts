// The commands of checkpoints and live migration (issue 15): taking and restoring one at this moment (the
// worker does it in place, and says what the scenario's `checkpoints` are now), deleting one or starting a
// clone from it (the scenario changes: the run is loaded again and goes back to this moment), and the
// scenario's `migration` settings (a change loads the run again).
import type { CheckpointSummary } from '../../protocol/messages';
import type { Scenario } from '../../scenario/scenario';
import type { CommandContext, Commands } from './command-types';

export type CheckpointCommands = Pick<
  Commands,
  'takeCheckpoint' | 'restoreCheckpoint' | 'deleteCheckpoint' | 'cloneCheckpoint' | 'setMigration'
>;

/** The position in the scenario's `checkpoints` of a listed checkpoint (opened files are not in it). */
function scenarioIndex(list: readonly CheckpointSummary[], index: number): number {
  return list.filter((c) => c.origin === 'scenario' && c.index < index).length;
}

export function checkpointCommands({ store, bus, latest, loads }: CommandContext, load: () => void): CheckpointCommands {
  /** The scenario's checkpoints change: loaded again, and back to this moment once loaded. */
  const replan = (checkpoints: NonNullable<Scenario['checkpoints']>) => {
    const s = latest();
    const at = s.status.steps;
    store.setState({ meta: { ...s.meta, checkpoints: checkpoints.length ? checkpoints : undefined } });
    load();
    if (at > 0) loads.pendingSeek = at;
  };
  return {
    takeCheckpoint: (vm) => {
      const s = latest();
      if (s.status.state === 'idle') return;
      bus.send({ kind: 'checkpoint-take', vm: vm ?? s.viewVm ?? s.snapshot?.inspection?.current ?? 0 });
    },
    restoreCheckpoint: (index) => {
      if (latest().status.state !== 'idle') bus.send({ kind: 'checkpoint-restore', index });
    },
    deleteCheckpoint: (index) => {
      const s = latest();
      const list = s.snapshot?.checkpoints ?? [];
      const c = list.find((x) => x.index === index);
      if (c?.origin !== 'scenario') return;
      const i = scenarioIndex(list, index);
      replan((s.meta.checkpoints ?? []).filter((_, n) => n !== i));
    },
    cloneCheckpoint: (index) => {
      const s = latest();
      const c = s.snapshot?.checkpoints?.find((x) => x.index === index);
      if (c?.origin !== 'scenario' || !c.taken) return;
      replan([...(s.meta.checkpoints ?? []), { vm: c.vm, at: c.at, clone: true }]);
    },
    setMigration: (migration) => {
      const s = latest();
      store.setState({ meta: { ...s.meta, migration: migration ?? undefined } });
      load();
    },
  };
}
