// The Monaco side of the editor. This module is the lazily loaded chunk: the page imports it with
// `import()` once the panels are up, and everything Monaco needs is set up once, when it is evaluated:
// the worker (bundled, never fetched from elsewhere), the VX language, theme, hover and completion.
//
// Only the editor API and the features used here are imported (not `editor.main`, which pulls in every
// language): cursor commands, hover, suggest and snippets, markers (F8), find, comment toggling, the
// context menu, clipboard, bracket matching, word highlighting, line operations, multi-cursor and Ctrl+M
// (Tab moves focus).
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/codeEditor/register';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/suggest/register';
import 'monaco-editor/features/snippet/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/cursorUndo/register';
import 'monaco-editor/features/wordOperations/register';
import 'monaco-editor/features/toggleTabFocusMode/register';
// The suggest widget's controller and the core cursor commands are not in any `features/*` entry.
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/editor/browser/coreCommands';
import { ContentHoverWidget } from 'monaco-editor/editor/contrib/hover/browser/contentHoverWidget';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import type { Diagnostic } from '../../isa/assembler';
import type { Variant } from '../../isa/table';
import { knownSymbols } from './assemble-off-thread';
import { type CompletionEntry, completionContext, completionEntries } from './completion';
import { hoverDoc } from './docs';
import { VX_LANGUAGE_ID, VX_THEME, VX_THEME_ID, vxGrammar, vxLanguageConfiguration } from './vx-language';

// ---- set up once ----

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

monaco.languages.register({ id: VX_LANGUAGE_ID, extensions: ['.s', '.vx'], aliases: ['VX assembly', 'vx'] });
monaco.languages.setLanguageConfiguration(VX_LANGUAGE_ID, vxLanguageConfiguration);
monaco.editor.defineTheme(VX_THEME_ID, VX_THEME);

// An instruction's hover (summary, privilege, the technique table) is about 400 px tall; Monaco caps
// hovers at 250 px unless one was resized larger, which is what this tells it. Internal: without effect
// if a later Monaco renames it.
const HOVER_HEIGHT = 400;
if ((ContentHoverWidget?._lastDimensions?.height ?? HOVER_HEIGHT) < HOVER_HEIGHT) {
  ContentHoverWidget._lastDimensions = { width: 0, height: HOVER_HEIGHT };
}

let variant: Variant = 'classic';
monaco.languages.setMonarchTokensProvider(VX_LANGUAGE_ID, vxGrammar(variant));

/** Switches every VX model to `next`'s grammar (privileged and sensitive mnemonics differ). */
export function setVariant(next: Variant): void {
  if (next === variant) return;
  variant = next;
  monaco.languages.setMonarchTokensProvider(VX_LANGUAGE_ID, vxGrammar(variant));
}

/** Whether a position is in a comment or a string, where neither hover nor completion applies. */
function inCommentOrString(line: string, column: number): boolean {
  return completionContext(line.slice(0, column - 1)) === 'none';
}

monaco.languages.registerHoverProvider(VX_LANGUAGE_ID, {
  provideHover(model, position) {
    const word = model.getWordAtPosition(position);
    if (!word) return null;
    const line = model.getLineContent(position.lineNumber);
    if (inCommentOrString(line, word.startColumn)) return null;
    const operandText = line.slice(word.endColumn - 1);
    const doc = hoverDoc(word.word, variant, { operandText, symbols: knownSymbols(model.getValue()) });
    if (!doc) return null;
    return {
      range: new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn),
      contents: [{ value: doc }],
    };
  },
});

const KIND: Record<CompletionEntry['kind'], monaco.languages.CompletionItemKind> = {
  mnemonic: monaco.languages.CompletionItemKind.Keyword,
  register: monaco.languages.CompletionItemKind.Variable,
  directive: monaco.languages.CompletionItemKind.Module,
  label: monaco.languages.CompletionItemKind.Reference,
};

monaco.languages.registerCompletionItemProvider(VX_LANGUAGE_ID, {
  triggerCharacters: ['.'],
  provideCompletionItems(model, position) {
    const line = model.getLineContent(position.lineNumber);
    const context = completionContext(line.slice(0, position.column - 1));
    if (context === 'none') return { suggestions: [] };
    const word = model.getWordUntilPosition(position);
    const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
    // The symbols of the last assembly (off the main thread): completion never assembles, so never freezes.
    const symbols = context === 'operand' ? knownSymbols(model.getValue()) : {};
    const suggestions = completionEntries(context, variant, symbols).map(
      (e): monaco.languages.CompletionItem => ({
        label: e.forms ? { label: e.label, detail: ` ${e.forms}` } : e.label,
        kind: KIND[e.kind],
        detail: e.detail,
        documentation: e.documentation ? { value: e.documentation } : undefined,
        insertText: e.insertText,
        insertTextRules: e.snippet ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
        filterText: e.label,
        sortText: e.sortText,
        range,
      }),
    );
    return { suggestions };
  },
});

// ---- one editor, one model per VM ----

export interface VxEditorCallbacks {
  /** The program of `vm` changed in the editor. */
  onChange(vm: number, source: string): void;
  /** Glyph-margin click or F9 on `line`. */
  onToggleBreakpoint(vm: number, line: number): void;
  /** Edits moved breakpoints with their lines (or merged them when lines were deleted). */
  onBreakpointsMoved(vm: number, lines: readonly number[]): void;
}

export interface VxEditor {
  /** Makes the models match the programs (creating, updating and dropping them). */
  setSources(sources: readonly string[]): void;
  setActive(vm: number): void;
  /** The instruction set variant: privileged and sensitive mnemonics are styled for it. */
  setVariant(variant: Variant): void;
  setDiagnostics(vm: number, diagnostics: readonly Diagnostic[]): void;
  /** Breakpoints of `vm`; those on lines without an instruction are drawn hollow (never reached). */
  setBreakpoints(vm: number, lines: readonly number[], instructionLines: ReadonlySet<number>): void;
  /** The line of the next instruction of `vm`, or null. */
  setPcLine(vm: number, line: number | null): void;
  /** Puts the cursor on (and selects) a range of the active program. */
  select(line: number, startColumn: number, endColumn: number): void;
  focus(): void;
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  dispose(): void;
}

interface VmModel {
  readonly model: monaco.editor.ITextModel;
  breakpoints: string[];
  pc: string[];
  pcLine: number | null;
  /** Whole-line tints under lines with errors: squiggles alone are thin on a projector. */
  errors: string[];
  hint: string[];
  viewState: monaco.editor.ICodeEditorViewState | null;
  /** Set while the page itself writes the model (so the change is not echoed back). */
  applying: boolean;
}

let modelCount = 0;

function rootFontSize(): number {
  return Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 18;
}

function monoFont(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--mono').trim() || 'monospace';
}

const BREAKPOINT_HOVER = 'Breakpoint: the run pauses before this instruction. Click or F9 to remove it.';
const UNBOUND_HOVER = 'Breakpoint on a line without an instruction: the run never stops here. Click or F9 to remove it.';

export function createVxEditor(container: HTMLElement, callbacks: VxEditorCallbacks): VxEditor {
  const vms: VmModel[] = [];
  let active = 0;
  const size = Math.round(rootFontSize() * 0.95);

  const editor = monaco.editor.create(container, {
    model: null,
    theme: VX_THEME_ID,
    ariaLabel: 'Source',
    // A real <textarea> takes the keys (not Chromium's EditContext): the page's shortcuts (digits pick a
    // technique) know to leave text fields alone, and assistive technology knows it as a text box.
    editContext: false,
    fontFamily: monoFont(),
    fontSize: size,
    lineHeight: 1.5,
    glyphMargin: true,
    lineNumbersMinChars: 3,
    lineDecorationsWidth: 14,
    folding: false,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    automaticLayout: true,
    fixedOverflowWidgets: true,
    renderLineHighlight: 'all',
    tabSize: 8,
    insertSpaces: false,
    detectIndentation: false,
    wordBasedSuggestions: 'off',
    quickSuggestions: { other: true, comments: false, strings: false },
    // Live coding: Enter always starts a new line (after `DEC R0` the popup offers registers and labels,
    // and Enter must not take one); a completion is accepted with Tab, as the popup's status bar says.
    acceptSuggestionOnEnter: 'off',
    tabCompletion: 'off',
    suggest: { showWords: false, preview: true, showStatusBar: true },
    hover: { delay: 250, sticky: true },
    padding: { top: 8, bottom: 8 },
    overviewRulerLanes: 2,
    scrollbar: { verticalScrollbarSize: 14, horizontalScrollbarSize: 14 },
    stickyScroll: { enabled: false },
    guides: { indentation: false },
    unicodeHighlight: { ambiguousCharacters: false },
  });

  const current = (): VmModel | undefined => vms[active];

  const toggleAt = (line: number) => callbacks.onToggleBreakpoint(active, line);

  editor.addAction({
    id: 'virtlab.toggleBreakpoint',
    label: 'Toggle Breakpoint',
    keybindings: [monaco.KeyCode.F9],
    contextMenuGroupId: 'navigation',
    run: (ed) => {
      const lines = new Set((ed.getSelections() ?? []).map((s) => s.positionLineNumber));
      for (const line of lines) toggleAt(line);
    },
  });

  const isGutter = (t: monaco.editor.IMouseTarget) =>
    t.type === monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN || t.type === monaco.editor.MouseTargetType.GUTTER_LINE_DECORATIONS;

  editor.onMouseDown((e) => {
    if (!isGutter(e.target) || !e.target.position || e.event.rightButton) return;
    toggleAt(e.target.position.lineNumber);
  });

  // A faint dot where a click would put a breakpoint.
  editor.onMouseMove((e) => {
    const vm = current();
    if (!vm) return;
    const line = isGutter(e.target) ? e.target.position?.lineNumber : undefined;
    vm.hint = vm.model.deltaDecorations(
      vm.hint,
      line ? [{ range: new monaco.Range(line, 1, line, 1), options: { glyphMarginClassName: 'vx-breakpoint-hint' } }] : [],
    );
  });
  editor.onMouseLeave(() => {
    const vm = current();
    if (vm) vm.hint = vm.model.deltaDecorations(vm.hint, []);
  });

  function breakpointLines(vm: VmModel): number[] {
    const lines = new Set<number>();
    for (const id of vm.breakpoints) {
      const range = vm.model.getDecorationRange(id);
      if (range) lines.add(range.startLineNumber);
    }
    return [...lines].sort((a, b) => a - b);
  }

  function createModel(index: number, source: string): VmModel {
    const model = monaco.editor.createModel(
      source,
      VX_LANGUAGE_ID,
      monaco.Uri.from({ scheme: 'inmemory', path: `/virtlab/${++modelCount}/vm${index + 1}.s` }),
    );
    model.setEOL(monaco.editor.EndOfLineSequence.LF);
    const vm: VmModel = { model, breakpoints: [], pc: [], pcLine: null, errors: [], hint: [], viewState: null, applying: false };
    model.onDidChangeContent(() => {
      if (vm.applying) return;
      const i = vms.indexOf(vm);
      if (i < 0) return;
      callbacks.onChange(i, model.getValue());
      if (vm.breakpoints.length) callbacks.onBreakpointsMoved(i, breakpointLines(vm));
    });
    return vm;
  }

  function show(index: number) {
    const prev = current();
    if (prev && editor.getModel() === prev.model) prev.viewState = editor.saveViewState();
    active = index;
    const vm = current();
    editor.setModel(vm?.model ?? null);
    if (vm?.viewState) editor.restoreViewState(vm.viewState);
  }

  return {
    editor,
    setSources(sources) {
      while (vms.length > sources.length) vms.pop()?.model.dispose();
      sources.forEach((source, i) => {
        const vm = vms[i];
        if (!vm) {
          vms.push(createModel(i, source));
          return;
        }
        if (vm.model.getValue() === source) return;
        // A change from outside the editor (a scenario, a test): one undoable edit.
        vm.applying = true;
        try {
          vm.model.pushStackElement();
          vm.model.pushEditOperations([], [{ range: vm.model.getFullModelRange(), text: source }], () => null);
          vm.model.pushStackElement();
        } finally {
          vm.applying = false;
        }
      });
      if (editor.getModel() !== current()?.model) show(Math.min(active, vms.length - 1));
    },
    setVariant,
    setActive(index) {
      if (index !== active && index >= 0 && index < vms.length) show(index);
    },
    setDiagnostics(index, diagnostics) {
      const vm = vms[index];
      if (!vm) return;
      monaco.editor.setModelMarkers(
        vm.model,
        'vx',
        diagnostics.map((d) => ({
          startLineNumber: d.line,
          startColumn: d.startColumn,
          endLineNumber: d.line,
          endColumn: d.endColumn,
          severity: d.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
          message: d.message,
          source: 'assembler',
        })),
      );
      const lines = [...new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.line))];
      vm.errors = vm.model.deltaDecorations(
        vm.errors,
        lines.map((line) => ({ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'vx-error-line' } })),
      );
    },
    setBreakpoints(index, lines, instructionLines) {
      const vm = vms[index];
      if (!vm) return;
      const count = vm.model.getLineCount();
      vm.breakpoints = vm.model.deltaDecorations(
        vm.breakpoints,
        lines
          .filter((l) => l >= 1 && l <= count)
          .map((line) => {
            const bound = instructionLines.has(line);
            return {
              range: new monaco.Range(line, 1, line, 1),
              options: {
                glyphMarginClassName: bound ? 'vx-breakpoint' : 'vx-breakpoint vx-breakpoint-unbound',
                glyphMarginHoverMessage: { value: bound ? BREAKPOINT_HOVER : UNBOUND_HOVER },
                lineNumberClassName: 'vx-breakpoint-line-number',
                stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
                overviewRuler: { color: '#dc2626', position: monaco.editor.OverviewRulerLane.Left },
              },
            };
          }),
      );
    },
    setPcLine(index, line) {
      const vm = vms[index];
      if (!vm || vm.pcLine === line) return;
      vm.pcLine = line;
      vm.pc = vm.model.deltaDecorations(
        vm.pc,
        line === null
          ? []
          : [
              {
                range: new monaco.Range(line, 1, line, 1),
                options: {
                  isWholeLine: true,
                  className: 'vx-pc-line',
                  linesDecorationsClassName: 'vx-pc-arrow',
                  overviewRuler: { color: '#1d4ed8', position: monaco.editor.OverviewRulerLane.Right },
                  zIndex: 1,
                },
              },
            ],
      );
      if (line !== null && index === active) editor.revealLineInCenterIfOutsideViewport(line, monaco.editor.ScrollType.Smooth);
    },
    select(line, startColumn, endColumn) {
      const range = new monaco.Range(line, startColumn, line, Math.max(startColumn, endColumn));
      editor.setSelection(range);
      editor.revealRangeInCenterIfOutsideViewport(range);
      editor.focus();
    },
    focus() {
      editor.focus();
    },
    dispose() {
      editor.dispose();
      for (const vm of vms) vm.model.dispose();
      vms.length = 0;
    },
  };
}
