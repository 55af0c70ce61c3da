import { useEffect, useRef, useState } from 'react';
import { assemble, type Diagnostic, type SourceMapEntry } from '../../isa/assembler';
import { useApp, useAppStore } from '../context';
import { editorIsLoaded } from '../store';

/** How long typing must pause before the page assembles the source again. */
const ASSEMBLE_DELAY_MS = 200;

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.line}:${d.startColumn}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

/** The offset of a 1-based line and column in `text`. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(text.length, offset + column - 1);
}

export function EditorPanel() {
  const { commands } = useAppStore();
  const source = useApp((s) => s.source);
  const diagnostics = useApp((s) => s.diagnostics);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const [sourceMap, setSourceMap] = useState<readonly SourceMapEntry[]>([]);

  useEffect(() => {
    const timer = setTimeout(() => {
      const result = assemble(source);
      setSourceMap(result.sourceMap);
      commands.setDiagnostics(result.diagnostics);
    }, ASSEMBLE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [source, commands]);

  // The line of the next instruction, while the run is paused on what the editor shows.
  const pc = useApp((s) => (s.status.state === 'paused' && editorIsLoaded(s) ? (s.snapshot?.vms[0]?.cpu.PC ?? null) : null));
  const pcLine = pc === null ? undefined : sourceMap.find((e) => e.address === pc)?.line;

  const lines = source.split('\n').length;
  const errorLines = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.line));
  const numbers = Array.from({ length: lines }, (_, i) => i + 1);

  const goTo = (d: Diagnostic) => {
    const el = textarea.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(offsetOf(source, d.line, d.startColumn), offsetOf(source, d.line, d.endColumn));
  };

  return (
    <section className="panel editor" aria-label="Editor">
      <h2>Editor</h2>
      <div className="code">
        <pre className="gutter" ref={gutter} aria-hidden="true">
          {numbers.map((n) => (
            <span key={n} className={errorLines.has(n) ? 'error-line' : n === pcLine ? 'pc-line' : undefined}>
              {n === pcLine ? '▶ ' : ''}
              {n}
            </span>
          ))}
        </pre>
        <textarea
          ref={textarea}
          aria-label="Source"
          aria-invalid={errorLines.size > 0}
          aria-describedby={diagnostics.length ? 'diagnostics' : undefined}
          value={source}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          autoComplete="off"
          wrap="off"
          onChange={(e) => commands.setSource(e.target.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      {diagnostics.length > 0 && (
        <ul id="diagnostics" className="diagnostics" role="alert">
          {diagnostics.map((d) => (
            <li key={`${d.line}:${d.startColumn}:${d.message}`} className={d.severity}>
              <button type="button" onClick={() => goTo(d)}>
                {formatDiagnostic(d)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
