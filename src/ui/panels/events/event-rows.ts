// The rows of the Events panel, fetched from the worker a block at a time. The run's event list stays in
// the worker (a million events never cross to the page); the panel asks for the blocks it shows, keeps a
// few hundred of them, and is told when an answer arrives. Outside React state: the list draws itself
// from here through a subscription. While the run goes, the rows at the end of the list come from the
// newest events the worker streams with each display update (`live`): a block asked for then would be
// out of date before its answer arrived, and the list would show only "…" rows.
import {
  type EngineBus,
  EVENT_WINDOW_LIMIT,
  type EventFilter,
  filterSelects,
  type TraceEvent,
  type WorkerMessage,
} from '../../../protocol/messages';

export interface EventRow {
  /** The event's index in the run's event list (what `seek-event` takes). */
  readonly index: number;
  readonly event: TraceEvent;
}

/** Rows per request: one window answer. */
export const BLOCK = Math.min(100, EVENT_WINDOW_LIMIT);
/** Blocks kept; beyond it the least recently used go. */
const BLOCKS_KEPT = 400;

interface Tail {
  readonly events: readonly TraceEvent[];
  readonly end: number;
  readonly counts: Partial<Record<EventFilter, number>>;
  readonly byFilter: Map<EventFilter, EventRow[]>;
}

interface Block {
  readonly rows: readonly EventRow[];
  /** The list's length when the block was asked for: a block cut short by it is asked again later. */
  readonly total: number;
}

export class EventRows {
  private blocks = new Map<string, Block>();
  private waiting = new Map<number, string>();
  private pendingKeys = new Set<string>();
  private nextRequest = 1;
  private readonly listeners = new Set<() => void>();
  /** Changes whenever rows arrive or are forgotten, for subscribers that compare. */
  version = 0;

  /** The newest events streamed, ending at the run's present, and each list's length at that moment. */
  private tail: Tail | null = null;
  /**
   * The tail before it. A new update's events arrive before the page draws that update: a render in
   * between (the worker letting old events go, a block's answer arriving) still shows the lengths of the
   * update drawn, which this tail holds; without it every row of that render was asked of the worker
   * and drawn as "…".
   */
  private previous: Tail | null = null;

  constructor(private readonly send: EngineBus['send']) {}

  /**
   * The newest `events` of the run (contiguous, the last one at index `end - 1`), with each filter's list
   * length at the same moment (the snapshot that followed them); null when they are not known.
   */
  live(events: readonly TraceEvent[] | null, end = 0, counts: Partial<Record<EventFilter, number>> = {}): void {
    this.previous = this.tail;
    this.tail = events?.length ? { events, end, counts, byFilter: new Map() } : null;
  }

  /** Row `position` of `filter`'s list of length `total` from a streamed tail, if one holds it. */
  private fromTail(filter: EventFilter, position: number, total: number): EventRow | undefined {
    const t = this.tail?.counts[filter] === total ? this.tail : this.previous?.counts[filter] === total ? this.previous : null;
    if (!t) return undefined;
    let rows = t.byFilter.get(filter);
    if (!rows) {
      rows = [];
      const first = t.end - t.events.length;
      t.events.forEach((event, i) => {
        if (filterSelects(filter, event.kind)) rows?.push({ index: first + i, event });
      });
      t.byFilter.set(filter, rows);
    }
    return rows[rows.length - (total - position)];
  }

  private key(filter: EventFilter, block: number): string {
    return `${filter}:${block}`;
  }

  /**
   * The row at `position` of the list `filter` selects, or undefined while it is being fetched (the
   * request goes out at once). `total` is the list's current length.
   */
  get(filter: EventFilter, position: number, total: number): EventRow | undefined {
    const live = this.fromTail(filter, position, total);
    if (live) return live;
    const b = Math.floor(position / BLOCK);
    const key = this.key(filter, b);
    const block = this.blocks.get(key);
    const wanted = Math.min(BLOCK, total - b * BLOCK);
    if (block && (block.rows.length >= wanted || block.total >= total)) {
      // Recently used: move to the end of the map's order.
      this.blocks.delete(key);
      this.blocks.set(key, block);
      return block.rows[position - b * BLOCK];
    }
    if (!this.pendingKeys.has(key)) {
      const request = this.nextRequest++;
      this.waiting.set(request, key);
      this.pendingKeys.add(key);
      this.send({ kind: 'events-window', request, filter, from: b * BLOCK, count: BLOCK });
    }
    return block?.rows[position - b * BLOCK];
  }

  receive(m: Extract<WorkerMessage, { kind: 'events-window' }>): void {
    const key = this.waiting.get(m.request);
    this.waiting.delete(m.request);
    if (key === undefined) return; // asked before the list was cut: stale
    this.pendingKeys.delete(key);
    this.blocks.set(key, { rows: m.items, total: m.total });
    while (this.blocks.size > BLOCKS_KEPT) {
      const oldest = this.blocks.keys().next().value;
      if (oldest === undefined) break;
      this.blocks.delete(oldest);
    }
    this.changed();
  }

  /** Forgets every row (a new run, or a seek back cut the list: positions may mean other events). */
  clear(): void {
    this.tail = null;
    this.previous = null;
    this.forgetBlocks();
  }

  /**
   * Forgets the blocks asked for, keeping the streamed tails: the worker let its oldest events go, so a
   * position names another event now, but each tail is still matched to the lengths of its own update
   * (the one drawn until the next frame included).
   */
  forgetBlocks(): void {
    this.blocks.clear();
    this.waiting.clear();
    this.pendingKeys.clear();
    this.changed();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
