import type { Speed } from '../../protocol/messages';
import { fmt } from '../shared/format';
import { useApp, useAppStore } from '../state/context';

/** The speeds the slider stops at: one instruction a second for lecturing, up to the engine's full speed. */
export const SPEEDS: readonly Speed[] = [1, 2, 5, 10, 20, 50, 100, 1000, 10_000, 100_000, 1_000_000, 'full'];

export function speedText(s: Speed): string {
  if (s === 'full') return 'full speed';
  return `${fmt(s)} instruction${s === 1 ? '' : 's'} per second`;
}

function shortText(s: Speed): string {
  if (s === 'full') return 'full';
  return s >= 1_000_000 ? `${s / 1_000_000}M/s` : s >= 1000 ? `${s / 1000}k/s` : `${s}/s`;
}

export function SpeedControl() {
  const { commands } = useAppStore();
  const speed = useApp((s) => s.speed);
  const index = Math.max(0, SPEEDS.indexOf(speed));
  return (
    <label className="speed" title="How fast Run goes: from one instruction a second (for lecturing) to full speed">
      <span>Speed</span>
      <input
        type="range"
        min={0}
        max={SPEEDS.length - 1}
        step={1}
        value={index}
        aria-valuetext={speedText(speed)}
        onChange={(e) => commands.setSpeed(SPEEDS[Number(e.target.value)] ?? 'full')}
      />
      <output aria-hidden="true">{shortText(speed)}</output>
    </label>
  );
}
