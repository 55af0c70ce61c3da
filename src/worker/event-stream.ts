// The events on their way to the page between two display updates: the newest EVENT_BATCH_LIMIT of
// them (a chatty guest at full speed emits far more than a page could list, and the page asks the
// worker's EventLog for older rows anyway), each with its index in the run's event list.
//
// A seek back in time shows up here as an event whose index is below the next one expected: the
// buffer forgets what lies beyond it, and when the page had been told of those events already, the next
// flush starts with `events-cut` so that the page's list is cut to the same length.
import { EVENT_BATCH_LIMIT, type TraceEvent, type WorkerMessage } from '../protocol/messages';

export class EventStream {
  private events: TraceEvent[] = [];
  /** The index of events[0]. */
  private start = 0;
  /** How many events the page's list holds (received or counted as dropped). */
  private known = 0;
  private cutTo: number | null = null;
  /** Set while a seek replays: the next batch is not news (the page does not animate it). */
  replay = false;

  constructor(private readonly limit = EVENT_BATCH_LIMIT) {}

  private get next(): number {
    return this.start + this.events.length;
  }

  reset(): void {
    this.events = [];
    this.start = 0;
    this.known = 0;
    this.cutTo = null;
    this.replay = false;
  }

  push(e: TraceEvent, index: number): void {
    if (index !== this.next) this.rewind(index);
    this.events.push(e);
    // Keep the newest `limit`; trimming in blocks keeps it amortised O(1).
    if (this.events.length >= 2 * this.limit) {
      const k = this.events.length - this.limit;
      this.events.splice(0, k);
      this.start += k;
    }
  }

  /** The run's event list now has `count` events (a seek went back): forget what lies beyond. */
  rewind(count: number): void {
    if (count >= this.next) {
      if (count > this.next) {
        // A jump forwards (not expected): what lies between is dropped.
        this.events = [];
        this.start = count;
      }
      return;
    }
    if (count <= this.start) {
      this.events = [];
      this.start = count;
    } else this.events.length = count - this.start;
    if (count < this.known) {
      this.known = count;
      this.cutTo = count;
    }
  }

  /** The messages that bring the page up to date, oldest first (none when nothing changed). */
  take(): WorkerMessage[] {
    const out: WorkerMessage[] = [];
    if (this.cutTo !== null) out.push({ kind: 'events-cut', count: this.cutTo });
    this.cutTo = null;
    const overflow = Math.max(0, this.events.length - this.limit);
    const events = overflow ? this.events.slice(overflow) : this.events;
    const first = this.start + overflow;
    const dropped = first - this.known;
    if (events.length || dropped > 0) {
      out.push({ kind: 'events', events, dropped, first, ...(this.replay ? { replay: true } : {}) });
    }
    this.known = this.next;
    this.start = this.next;
    this.events = [];
    this.replay = false;
    return out;
  }
}
