import { useLayoutEffect, useRef } from 'react';
import { fmt } from '../../shared/format';
import { useShownVm, VmPicker } from '../../shared/VmPicker';
import { useApp } from '../../state/context';

/**
 * Characters drawn while the run goes: laying out a long wrapped text again every frame costs more than
 * the rest of the page together, and a projector shows a few hundred characters anyway. Paused, the
 * whole tail the worker sends is there to scroll through.
 */
const RUNNING_TAIL = 4096;
/** Lines drawn while running: a guest printing a character a line (the first program students write) would
 * otherwise lay out two thousand lines a frame. */
const RUNNING_LINES = 60;

/** The last `lines` lines of `text` (the text itself when shorter). */
function lastLines(text: string, lines: number): string {
  let at = text.length;
  for (let n = 0; n <= lines; n++) {
    at = text.lastIndexOf('\n', at - 1);
    if (at < 0) return text;
  }
  return text.slice(at + 1);
}

export function ConsolePanel() {
  const running = useApp((s) => s.status.state === 'running');
  const shown = useShownVm();
  const full = useApp((s) => s.snapshot?.vms[shown]?.console ?? '');
  const total = useApp((s) => s.snapshot?.vms[shown]?.consoleLength ?? 0);
  const name = useApp((s) => ((s.snapshot?.vms.length ?? 0) > 1 ? s.snapshot?.vms[shown]?.name : undefined));
  const text = running ? lastLines(full.length > RUNNING_TAIL ? full.slice(-RUNNING_TAIL) : full, RUNNING_LINES) : full;
  const pre = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);

  // Follow the output, unless the reader scrolled up to look at something.
  useLayoutEffect(() => {
    const el = pre.current;
    if (el && pinned.current && text) el.scrollTop = el.scrollHeight;
  }, [text]);

  return (
    <section className="panel console" aria-label="Console">
      <h2>
        Console{name ? ` · ${name}` : ''}
        <VmPicker label="VM shown in Console" />
      </h2>
      {total > text.length && <p className="note">{fmt(total - text.length)} earlier characters not shown</p>}
      <pre
        ref={pre}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: scrolled output must be reachable by keyboard (WCAG 2.1.1)
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
        }}
      >
        {text}
      </pre>
    </section>
  );
}
