// The run's event list, kept in the worker: the page asks for the rows it shows (a window), so a run of
// millions of events never crosses to the page, and the list, its filters and the timeline stay exact
// across seeks.
//
// Replay is deterministic, so going back in time does not forget the future: the events a seek emits
// again are checked against those kept (kind, step, PC) and only a difference cuts the list. The list
// therefore holds the run as far as it has gone, and `present` (the engine's event count) says how
// much of it has happened at the moment the run is at.
import {
  EVENT_KINDS,
  type EventFilter,
  type EventKind,
  HYPERVISOR_EVENT_KINDS,
  TIMELINE_BUCKETS,
  TIMELINE_CATEGORIES,
  TIMELINE_MARKS,
  type TimelineCategory,
  type TimelineView,
  type TraceEvent,
  timelineCategory,
} from '../protocol/messages';

/** Events kept at most; beyond it the oldest fifth is let go (their rows then say so). */
export const LOG_LIMIT = 1_250_000;

/** A growable list of event indices, ascending. */
class IndexList {
  private data = new Float64Array(1024);
  length = 0;

  push(index: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = index;
  }

  at(i: number): number {
    return this.data[i];
  }

  /** How many entries are below `index`. */
  countBelow(index: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid] < index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets the entries from `index` on. */
  truncate(index: number): void {
    this.length = this.countBelow(index);
  }

  /** Forgets the entries below `index`. */
  dropBelow(index: number): void {
    const k = this.countBelow(index);
    this.data.copyWithin(0, k, this.length);
    this.length -= k;
  }
}

/** Events per category in buckets of `width` steps; the width doubles as the run grows. */
class Histogram {
  width = 1;
  readonly buckets: Record<TimelineCategory, number[]> = emptyBuckets();
  violations: number[] = [];
  /** Changes whenever the histogram does, so that unchanged ones are not posted again. */
  version = 0;

  add(step: number, category: TimelineCategory): void {
    while (step >= this.width * TIMELINE_BUCKETS) this.widen();
    this.buckets[category][Math.floor(step / this.width)]++;
    if (category === 'fidelity' && this.violations.length < TIMELINE_MARKS) this.violations.push(step);
    this.version++;
  }

  private widen(): void {
    for (const c of TIMELINE_CATEGORIES) {
      const b = this.buckets[c];
      for (let i = 0; i < TIMELINE_BUCKETS; i++) b[i] = i < TIMELINE_BUCKETS / 2 ? b[2 * i] + b[2 * i + 1] : 0;
    }
    this.width *= 2;
  }

  clear(): void {
    this.width = 1;
    for (const c of TIMELINE_CATEGORIES) this.buckets[c].fill(0);
    this.violations = [];
    this.version++;
  }
}

function emptyBuckets(): Record<TimelineCategory, number[]> {
  return Object.fromEntries(TIMELINE_CATEGORIES.map((c) => [c, new Array<number>(TIMELINE_BUCKETS).fill(0)])) as Record<
    TimelineCategory,
    number[]
  >;
}

export class EventLog {
  private events: TraceEvent[] = [];
  /** The index of events[0] (non-zero once the oldest were let go). */
  private base = 0;
  /** Index lists for 'all-but-vmx', 'hypervisor' and each kind. */
  private readonly lists = new Map<EventFilter, IndexList>();
  private readonly histogram = new Histogram();

  constructor(private readonly limit = LOG_LIMIT) {}

  /** The index after the last event kept: how far the run's event list is known. */
  get end(): number {
    return this.base + this.events.length;
  }

  get firstKept(): number {
    return this.base;
  }

  clear(): void {
    this.events = [];
    this.base = 0;
    this.lists.clear();
    this.histogram.clear();
  }

  /** Records the event the engine emitted as its `index`th (again, after a seek, or for the first time). */
  push(e: TraceEvent, index: number): void {
    if (index < this.base) return; // let go for memory; a seek that far back does not bring it back
    if (index < this.end) {
      const kept = this.events[index - this.base];
      if (kept.kind === e.kind && kept.step === e.step && kept.pc === e.pc && kept.vm === e.vm) return;
      this.truncate(index); // not what happened before: the future from here is different
    } else if (index > this.end) {
      this.clear();
      this.base = index;
    }
    this.events.push(e);
    const hv = HYPERVISOR_EVENT_KINDS.has(e.kind);
    if (hv) this.list('hypervisor').push(index);
    if (e.kind !== 'vmx') this.list('all-but-vmx').push(index);
    this.list(e.kind).push(index);
    const category = timelineCategory(e.kind);
    if (category) this.histogram.add(e.step ?? 0, category);
    if (this.events.length > this.limit) this.letGoOldest(Math.ceil(this.limit / 5));
  }

  private list(filter: EventFilter): IndexList {
    let l = this.lists.get(filter);
    if (!l) this.lists.set(filter, (l = new IndexList()));
    return l;
  }

  private truncate(index: number): void {
    this.events.length = Math.max(0, index - this.base);
    for (const l of this.lists.values()) l.truncate(index);
    this.rebuildHistogram();
  }

  private letGoOldest(k: number): void {
    this.events.splice(0, k);
    this.base += k;
    for (const l of this.lists.values()) l.dropBelow(this.base);
  }

  private rebuildHistogram(): void {
    this.histogram.clear();
    for (const e of this.events) {
      const c = timelineCategory(e.kind);
      if (c) this.histogram.add(e.step ?? 0, c);
    }
  }

  /** The event with this index, if kept. */
  get(index: number): TraceEvent | undefined {
    return index >= this.base && index < this.end ? this.events[index - this.base] : undefined;
  }

  /** How many kept events `filter` selects among the first `present`. */
  count(filter: EventFilter, present: number): number {
    if (filter === 'all') return Math.max(0, Math.min(present, this.end) - this.base);
    return this.lists.get(filter)?.countBelow(present) ?? 0;
  }

  /** Counts for 'all', 'all-but-vmx', 'hypervisor' and each kind that occurred. */
  counts(present: number): Partial<Record<EventFilter, number>> {
    const out: Partial<Record<EventFilter, number>> = {
      all: this.count('all', present),
      'all-but-vmx': this.count('all-but-vmx', present),
      hypervisor: this.count('hypervisor', present),
    };
    for (const kind of EVENT_KINDS) {
      const n = this.count(kind, present);
      if (n) out[kind] = n;
    }
    return out;
  }

  /** Rows `from` … `from + count` of the list `filter` selects among the first `present` events. */
  window(
    filter: EventFilter,
    from: number,
    count: number,
    present: number,
  ): { total: number; items: { index: number; event: TraceEvent }[] } {
    const total = this.count(filter, present);
    const start = Math.max(0, Math.min(Math.floor(from), total));
    const stop = Math.max(start, Math.min(total, start + Math.floor(count)));
    const items: { index: number; event: TraceEvent }[] = [];
    const list = filter === 'all' ? null : this.lists.get(filter);
    for (let i = start; i < stop; i++) {
      const index = list ? list.at(i) : this.base + i;
      items.push({ index, event: this.events[index - this.base] });
    }
    return { total, items };
  }

  /** Indices of the hypervisor events among the first `present`, latest first. */
  *hypervisorEventsBefore(present: number): Generator<{ index: number; event: TraceEvent }> {
    const list = this.lists.get('hypervisor');
    if (!list) return;
    for (let k = list.countBelow(present) - 1; k >= 0; k--) {
      const index = list.at(k);
      yield { index, event: this.events[index - this.base] };
    }
  }

  /** The first hypervisor event after event `index` that the log holds (happened, or known from a replay). */
  nextHypervisorEvent(index: number): { index: number; event: TraceEvent } | undefined {
    const list = this.lists.get('hypervisor');
    if (!list) return undefined;
    const k = list.countBelow(Math.floor(index) + 1);
    if (k >= list.length) return undefined;
    const at = list.at(k);
    return { index: at, event: this.events[at - this.base] };
  }

  /** The latest hypervisor event before event `index`, if kept. */
  previousHypervisorEvent(index: number): { index: number; event: TraceEvent } | undefined {
    return this.hypervisorEventsBefore(index).next().value ?? undefined;
  }

  get timelineVersion(): number {
    return this.histogram.version;
  }

  timeline(furthest: number): TimelineView {
    const h = this.histogram;
    return {
      furthest,
      bucketWidth: h.width,
      buckets: Object.fromEntries(TIMELINE_CATEGORIES.map((c) => [c, h.buckets[c].slice()])) as Record<TimelineCategory, number[]>,
      violations: h.violations.slice(),
    };
  }
}

/** Kinds a filter may name (for checking the page's requests). */
export function isEventFilter(v: string): v is EventFilter {
  return v === 'all' || v === 'all-but-vmx' || v === 'hypervisor' || (EVENT_KINDS as readonly string[]).includes(v as EventKind);
}
