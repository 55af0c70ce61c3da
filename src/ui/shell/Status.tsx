import type { RunStatus } from '../../protocol/messages';
import { useApp } from '../state/context';

const STOPS: Record<NonNullable<RunStatus['stop']>, string> = {
  'all-stopped': 'all VMs stopped',
  'step-limit': 'step limit reached',
  breakpoint: 'at a breakpoint',
  error: 'engine error',
};

/** The run state in words; on bare metal (`native`) there is one machine and no VM. */
export function statusText(s: RunStatus, technique?: string): string {
  switch (s.state) {
    case 'idle':
      return 'Not loaded';
    case 'running':
      return 'Running';
    case 'paused':
      return s.stop === 'breakpoint' ? 'Paused at a breakpoint' : s.steps === 0 ? 'Paused, ready to run' : 'Paused';
    case 'stopped':
      return `Stopped: ${s.stop === 'all-stopped' && technique === 'native' ? 'the machine stopped' : s.stop ? STOPS[s.stop] : 'the run ended'}${s.error ? ` (${s.error})` : ''}`;
    default: {
      const never: never = s.state;
      return String(never);
    }
  }
}

/** The run state, announced politely (the instruction count, which changes too fast to announce, is in Machine). */
export function Status() {
  const status = useApp((s) => s.status);
  const technique = useApp((s) => s.snapshot?.technique);
  return (
    <div className={`status status-${status.state}`}>
      <span role="status" aria-live="polite">
        {statusText(status, technique)}
      </span>
    </div>
  );
}
