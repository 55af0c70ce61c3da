import type { TraceEvent } from '../../protocol/messages';
import { useApp } from '../context';

const SKIP = new Set(['kind', 'vm', 'pc', 'time']);

/** Fields that are addresses, ports or data: hexadecimal. Counts, levels and vectors stay decimal. */
const HEX = new Set(['address', 'port', 'value', 'page', 'block', 'returnPc']);

function value(k: string, v: unknown): string {
  if (typeof v === 'number') return HEX.has(k) ? `0x${v.toString(16).toUpperCase()}` : String(v);
  // Console text keeps its quotes and escapes, so a newline or a space shows as what it is.
  if (typeof v === 'string') return k === 'text' || !/^[\x21-\x7e]+$/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

function detail(e: TraceEvent): string {
  return Object.entries(e)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k} ${value(k, v)}`)
    .join(', ');
}

export function EventsPanel() {
  const events = useApp((s) => s.events);
  const dropped = useApp((s) => s.eventsDropped);
  const first = useApp((s) => s.eventsTotal - s.events.length);
  return (
    <section className="panel events" aria-label="Events">
      <h2>Events</h2>
      {dropped > 0 && <p className="note">{dropped.toLocaleString('en-US')} events not listed</p>}
      <ol>
        {events.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: first + i is the event's sequence number since the load, not its position
          <li key={first + i}>
            <span className="pc">{`0x${e.pc.toString(16).toUpperCase().padStart(4, '0')}`}</span>
            <span className="kind">{e.kind}</span>
            <span className="detail">{detail(e)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
