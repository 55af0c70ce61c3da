import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Diagnostic, SourceMapEntry } from '../../isa/assembler';
import { assembleBounded } from './assemble-off-thread';
import type { VxEditor } from './monaco';
import { mnemonicsByClass } from './vx-language';
import './editor.css';
import { useApp, useAppStore } from '../state/context';
import { editorIsLoaded } from '../state/store';

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

/** The 1-based line and column of an offset in `text`. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

interface Assembled {
  readonly source: string;
  readonly sourceMap: readonly SourceMapEntry[];
  readonly instructionLines: ReadonlySet<number>;
}

type MonacoModule = typeof import('./monaco');

let monacoModule: Promise<MonacoModule> | null = null;
/** Loads the editor chunk once, after the page has painted and the browser is idle. */
function loadMonaco(): Promise<MonacoModule> {
  monacoModule ??= new Promise<void>((resolve) => {
    if ('requestIdleCallback' in window) requestIdleCallback(() => resolve(), { timeout: 300 });
    else setTimeout(resolve, 50);
  }).then(() => import('./monaco'));
  return monacoModule;
}

export function EditorPanel() {
  const store = useAppStore();
  const { commands } = store;
  const vms = useApp((s) => s.vms);
  const activeVm = useApp((s) => s.activeVm);
  const vmDiagnostics = useApp((s) => s.vmDiagnostics);
  const breakpoints = useApp((s) => s.breakpoints);
  const isa = useApp((s) => s.isa);
  // The address of the next instruction of each VM, while the run is paused on what the editor shows.
  const pcs = useApp(
    useShallow((s) => {
      const loaded = s.status.state === 'paused' && editorIsLoaded(s);
      return s.vms.map((_, i) => (loaded ? (s.snapshot?.vms[i]?.cpu.PC ?? null) : null));
    }),
  );

  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLPreElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const [editor, setEditor] = useState<VxEditor | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [assembled, setAssembled] = useState<readonly (Assembled | undefined)[]>([]);

  const active = vms[activeVm] ?? vms[0];
  const source = active?.source ?? '';
  const diagnostics = vmDiagnostics[activeVm] ?? [];

  // Assemble each program shortly after it stops changing: diagnostics, source map, instruction lines. Off
  // the main thread and bounded in time: no program, however hostile, can freeze the page.
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(() => {
      Promise.all(vms.map((vm) => assembleBounded(vm.source))).then((results) => {
        if (cancelled) return;
        results.forEach((r, i) => {
          commands.setVmDiagnostics(i, r.diagnostics);
        });
        setAssembled((old) =>
          vms.map((vm, i) => {
            const previous = old[i];
            if (previous && previous.source === vm.source) return previous;
            const r = results[i];
            return { source: vm.source, sourceMap: r.sourceMap, instructionLines: new Set(r.sourceMap.map((e) => e.line)) };
          }),
        );
      });
    }, ASSEMBLE_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [vms, commands]);

  const pcLines = useMemo(
    () =>
      pcs.map((pc, i) => {
        const a = assembled[i];
        if (pc === null || !a || a.source !== vms[i]?.source) return null;
        return a.sourceMap.find((e) => e.address === pc)?.line ?? null;
      }),
    [pcs, assembled, vms],
  );

  // Monaco: loaded lazily, once; until then (or if it fails) the plain text area does the job.
  useEffect(() => {
    let disposed = false;
    let created: VxEditor | null = null;
    loadMonaco()
      .then((m) => {
        if (disposed || !host.current) return;
        created = m.createVxEditor(host.current, {
          onChange: (vm, text) => commands.setVmSource(vm, text),
          onToggleBreakpoint: (vm, line) => commands.toggleBreakpoint(vm, line),
          onBreakpointsMoved: (vm, lines) => commands.setBreakpoints(vm, lines),
        });
        const s = store.getState();
        created.setSources(s.vms.map((v) => v.source));
        created.setActive(s.activeVm);
        // Whoever was typing in the text area carries on in Monaco, at the same place.
        const area = textarea.current;
        if (area && document.activeElement === area) {
          const at = positionOf(area.value, area.selectionStart);
          created.editor.setPosition({ lineNumber: at.line, column: at.column });
          created.focus();
        }
        setEditor(created);
      })
      .catch((e: unknown) => {
        if (!disposed) setFailed(String((e as Error)?.message ?? e));
      });
    return () => {
      disposed = true;
      created?.dispose();
    };
  }, [commands, store]);

  useEffect(() => {
    if (!editor) return;
    editor.setSources(vms.map((v) => v.source));
    editor.setActive(activeVm);
  }, [editor, vms, activeVm]);

  useEffect(() => {
    editor?.setVariant(isa);
  }, [editor, isa]);

  useEffect(() => {
    if (!editor) return;
    vms.forEach((_, i) => {
      editor.setDiagnostics(i, vmDiagnostics[i] ?? []);
    });
  }, [editor, vms, vmDiagnostics]);

  useEffect(() => {
    if (!editor) return;
    vms.forEach((_, i) => {
      const lines = breakpoints.filter((b) => b.vm === i).map((b) => b.line);
      editor.setBreakpoints(i, lines, assembled[i]?.instructionLines ?? new Set(lines));
    });
  }, [editor, vms, breakpoints, assembled]);

  useEffect(() => {
    if (!editor) return;
    pcLines.forEach((line, i) => {
      editor.setPcLine(i, line);
    });
  }, [editor, pcLines]);

  const goTo = (d: Diagnostic) => {
    if (editor) {
      editor.select(d.line, d.startColumn, d.endColumn);
      return;
    }
    const el = textarea.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(offsetOf(source, d.line, d.startColumn), offsetOf(source, d.line, d.endColumn));
  };

  const errorCount = vmDiagnostics.reduce((n, list) => n + list.filter((d) => d.severity === 'error').length, 0);
  const otherErrors = vms
    .map((vm, i) => ({ vm, i, n: (vmDiagnostics[i] ?? []).filter((d) => d.severity === 'error').length }))
    .filter((x) => x.i !== activeVm && x.n > 0);
  const legend = useMemo(() => mnemonicsByClass(isa), [isa]);
  const errorLines = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.line));
  const bpLines = new Set(breakpoints.filter((b) => b.vm === activeVm).map((b) => b.line));
  const gutterClass = (n: number) =>
    errorLines.has(n) ? 'error-line' : n === pcLines[activeVm] ? 'pc-line' : bpLines.has(n) ? 'breakpoint-line' : undefined;
  const several = vms.length > 1;

  return (
    <section className="panel editor" aria-label="Editor">
      <h2>Editor</h2>
      {editor && (
        <p className="editor-keys">
          <kbd>F9</kbd> breakpoint · <kbd>Ctrl+M</kbd> Tab leaves the editor
        </p>
      )}
      {several && (
        <div className="editor-tabs" role="tablist" aria-label="Virtual machines">
          {vms.map((vm, i) => {
            const errors = (vmDiagnostics[i] ?? []).some((d) => d.severity === 'error');
            return (
              <button
                // biome-ignore lint/suspicious/noArrayIndexKey: VMs are identified by their position in the scenario.
                key={i}
                type="button"
                role="tab"
                id={`editor-tab-${i}`}
                aria-selected={i === activeVm}
                aria-controls="editor-tabpanel"
                tabIndex={i === activeVm ? 0 : -1}
                className={errors ? 'has-errors' : undefined}
                onClick={() => commands.setActiveVm(i)}
                onKeyDown={(e) => {
                  const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
                  if (!step) return;
                  e.preventDefault();
                  const next = (i + step + vms.length) % vms.length;
                  commands.setActiveVm(next);
                  document.getElementById(`editor-tab-${next}`)?.focus();
                }}
              >
                {vm.name}
                {errors && <span className="tab-error"> (errors)</span>}
              </button>
            );
          })}
        </div>
      )}
      <p className="editor-legend">
        <span className="legend legend-privileged">
          <b>{legend.privileged.slice(0, 3).join(' ')} …</b> privileged
        </span>
        {legend.sensitive.length > 0 ? (
          <span className="legend legend-sensitive">
            <b>{legend.sensitive.join(' ')}</b> sensitive, not privileged
          </span>
        ) : (
          <span className="legend">every sensitive instruction is privileged</span>
        )}
        <span className="legend legend-isa">on {isa}</span>
      </p>
      <div className="code" id="editor-tabpanel" {...(several ? { role: 'tabpanel', 'aria-labelledby': `editor-tab-${activeVm}` } : {})}>
        <div ref={host} className="monaco-host" hidden={!editor} />
        {!editor && (
          <pre className="gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: source.split('\n').length }, (_, i) => i + 1).map((n) => (
              <span key={n} className={gutterClass(n)}>
                {n === pcLines[activeVm] ? '▶ ' : bpLines.has(n) ? '● ' : ''}
                {n}
              </span>
            ))}
          </pre>
        )}
        {!editor && (
          <textarea
            ref={textarea}
            aria-label="Source"
            aria-invalid={diagnostics.some((d) => d.severity === 'error')}
            aria-describedby={diagnostics.length ? 'diagnostics' : undefined}
            value={source}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            autoComplete="off"
            wrap="off"
            onChange={(e) => commands.setVmSource(activeVm, e.target.value)}
            onScroll={(e) => {
              if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
            }}
            onKeyDown={(e) => {
              if (e.key !== 'F9') return;
              e.preventDefault();
              commands.toggleBreakpoint(activeVm, positionOf(e.currentTarget.value, e.currentTarget.selectionStart).line);
            }}
          />
        )}
      </div>
      {failed && <p className="note editor-note">The code editor could not load ({failed}): editing as plain text.</p>}
      {(errorCount > 0 || diagnostics.length > 0) && (
        <div id="diagnostics" className="diagnostics" role="alert">
          {errorCount > 0 && (
            <p className="diagnostics-summary">
              Run is disabled: {errorCount === 1 ? '1 assembly error' : `${errorCount} assembly errors`} to fix
              {otherErrors.length > 0 && ' (also in '}
              {otherErrors.map((x, k) => (
                <span key={x.i}>
                  {k > 0 && ', '}
                  <button type="button" className="link" onClick={() => commands.setActiveVm(x.i)}>
                    {x.vm.name}
                  </button>
                </span>
              ))}
              {otherErrors.length > 0 && ')'}.
            </p>
          )}
          <ul>
            {diagnostics.map((d) => (
              <li key={`${d.line}:${d.startColumn}:${d.message}`} className={d.severity}>
                <button type="button" onClick={() => goTo(d)}>
                  {formatDiagnostic(d)}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
