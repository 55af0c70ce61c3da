// The console device's output. Appending one character at a time to a string builds a rope of a
// million tiny nodes that the garbage collector must trace; this keeps characters in an array and
// folds them into flat pieces, and keeps at most MAX_CONSOLE characters (the oldest are dropped).
export const MAX_CONSOLE = 1 << 20;
const FOLD = 4096;

export class ConsoleBuffer {
  private flat = '';
  private pending: string[] = [];
  /** Characters dropped from the front because the console outgrew MAX_CONSOLE. */
  dropped = 0;

  append(ch: string): void {
    this.pending.push(ch);
    if (this.pending.length >= FOLD) this.fold();
  }

  get length(): number {
    return this.flat.length + this.pending.length;
  }

  text(): string {
    if (this.pending.length) this.fold();
    return this.flat;
  }

  /** Restores a saved text (snapshots store the text itself: strings are immutable and shared). */
  reset(text: string, dropped: number): void {
    this.flat = text;
    this.pending = [];
    this.dropped = dropped;
  }

  private fold(): void {
    this.flat += this.pending.join('');
    this.pending = [];
    if (this.flat.length > MAX_CONSOLE) {
      const cut = this.flat.length - MAX_CONSOLE / 2;
      this.flat = this.flat.slice(cut);
      this.dropped += cut;
    }
  }
}
