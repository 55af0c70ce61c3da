// The page's assembler, off the main thread: a program that takes the assembler a long time (a `.equ`
// doubled twenty times, a huge expression) can never freeze the page. The page stops this worker when it
// takes too long and starts another.
import { assemble } from '../../isa/assembler';

interface Request {
  readonly id: number;
  readonly source: string;
}

self.onmessage = (e: MessageEvent<Request>) => {
  const { id, source } = e.data;
  const r = assemble(String(source));
  (self as unknown as Worker).postMessage({ id, diagnostics: r.diagnostics, sourceMap: r.sourceMap, symbols: r.symbols });
};
