// Types for the two Monaco modules the grammar tests use: Monaco's own Monarch compiler and tokenizer
// (plain modules without DOM), so that the tests check the grammar the editor really runs.
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
