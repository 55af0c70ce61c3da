// Types for the few Monaco internals used here: the Monarch compiler and tokenizer (plain modules without
// DOM: the grammar tests run the grammar the editor really runs), and the hover widget's size memory.
declare module 'monaco-editor/editor/standalone/common/monarch/monarchCompile' {
  export function compile(languageId: string, json: import('monaco-editor/editor/editor.api').languages.IMonarchLanguage): unknown;
}

declare module 'monaco-editor/editor/standalone/common/monarch/monarchLexer' {
  export class MonarchTokenizer {
    constructor(languageService: unknown, themeService: unknown, languageId: string, lexer: unknown, configurationService: unknown);
    getInitialState(): unknown;
    tokenize(line: string, hasEOL: boolean, state: unknown): { tokens: { offset: number; type: string }[]; endState: unknown };
    dispose(): void;
  }
}

declare module 'monaco-editor/editor/contrib/hover/browser/contentHoverWidget' {
  /** Monaco caps a hover at the larger of 250 px and the size it was last resized to. */
  export const ContentHoverWidget: { _lastDimensions?: { width: number; height: number } };
}
