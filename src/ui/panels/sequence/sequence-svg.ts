// The sequence view as a standalone SVG document (for a slide): the lanes, and one row per event with its
// arrow and label. Built as text, every piece of text escaped (a VM's name comes from the scenario, which
// is untrusted), with its own styles so it looks the same wherever it is opened.
import type { TechniqueId } from '../../../protocol/messages';
import { kindColor } from '../../shared/palette';
import type { EventRow } from '../events/event-rows';
import { type Arrow, type Lane, laneName, xOf } from './sequence-lanes';

/** Text made safe inside an XML element or a quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const WIDTH = 960;
const HEAD = 40;
const ROW = 36;
const GUTTER = 56;

export function sequenceSvg(
  rows: readonly { row: EventRow; arrow: Arrow; current: boolean }[],
  lanes: readonly Lane[],
  technique: TechniqueId,
  vmNames: readonly string[] | null,
): string {
  const height = HEAD + rows.length * ROW + 12;
  const x = (end: Arrow['from']) => GUTTER + xOf(end, lanes) * (WIDTH - GUTTER);
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="15">`,
  );
  out.push(
    '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker></defs>',
  );
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  for (const l of lanes) {
    const lx = x(l);
    out.push(`<text x="${lx}" y="24" text-anchor="middle" font-weight="600" fill="#1f2937">${escapeXml(laneName(l, technique))}</text>`);
    out.push(`<line x1="${lx}" x2="${lx}" y1="${HEAD - 6}" y2="${height - 6}" stroke="#cbd5e1" stroke-dasharray="4 4"/>`);
  }
  rows.forEach(({ row, arrow, current }, i) => {
    const top = HEAD + i * ROW;
    const y = top + ROW * 0.66;
    const color = kindColor(row.event.kind);
    const vm = vmNames ? `${vmNames[row.event.vm] ?? row.event.vm}: ` : '';
    const label = escapeXml(`${vm}${arrow.label}`);
    if (current) out.push(`<rect x="0" y="${top}" width="${WIDTH}" height="${ROW}" fill="#fef3c7"/>`);
    out.push(`<text x="8" y="${y}" fill="#475569" font-size="12">${row.index + 1}</text>`);
    const x1 = x(arrow.from);
    const x2 = x(arrow.to);
    if (arrow.from === arrow.to) {
      out.push(`<circle cx="${x1}" cy="${y}" r="5" fill="${color}"/>`);
      out.push(`<text x="${x1 + 9}" y="${y - 5}" fill="#111827">${label}</text>`);
    } else {
      out.push(`<line x1="${x1}" x2="${x2}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2" marker-end="url(#head)"/>`);
      out.push(`<text x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle" fill="#111827">${label}</text>`);
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
