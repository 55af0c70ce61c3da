// Exporting an event trace: JSON (the events as they are) and CSV (one row per event, for a
// spreadsheet). Guest text ends up in cells, so cells that a spreadsheet would read as a formula
// are prefixed with an apostrophe.
import type { TraceEvent } from './events';

const BASE = new Set(['step', 'time', 'vm', 'pc', 'kind']);

function cell(value: unknown): string {
  let s = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function eventsToCsv(events: readonly TraceEvent[], vmNames: readonly string[] = []): string {
  const rows = ['step,time,vm,pc,kind,details'];
  for (const e of events) {
    const details: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) if (!BASE.has(k)) details[k] = v;
    rows.push(
      [e.step ?? '', e.time, vmNames[e.vm] ?? e.vm, `0x${(e.pc >>> 0).toString(16).toUpperCase()}`, e.kind, JSON.stringify(details)]
        .map(cell)
        .join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}

export function eventsToJson(events: readonly TraceEvent[]): string {
  return `${JSON.stringify({ format: 'virtlab-trace', version: 1, events }, null, 1)}\n`;
}
