import { useLayoutEffect, useRef } from 'react';
import { useApp } from '../context';

export function ConsolePanel() {
  const text = useApp((s) => s.snapshot?.vms[0]?.console ?? '');
  const total = useApp((s) => s.snapshot?.vms[0]?.consoleLength ?? 0);
  const pre = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);

  // Follow the output, unless the reader scrolled up to look at something.
  useLayoutEffect(() => {
    const el = pre.current;
    if (el && pinned.current && text) el.scrollTop = el.scrollHeight;
  }, [text]);

  return (
    <section className="panel console" aria-label="Console">
      <h2>Console</h2>
      {total > text.length && <p className="note">{(total - text.length).toLocaleString('en-US')} earlier characters not shown</p>}
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
