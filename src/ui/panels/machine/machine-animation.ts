// The Machine panel's animations: each hypervisor event becomes a transition between two layers (guest
// user, guest kernel, hypervisor, host OS, hardware), played one after the other, slowly enough to follow
// at lecture speed. A token carrying the event's name travels from one layer to the other (a CSS
// transition on its transform); with reduced motion it does not travel: the layers light up and the
// caption says what happened. The player works on the DOM directly: nothing here renders through React.
import type { TechniqueId, TraceEvent } from '../../../protocol/messages';
import { fmt } from '../../shared/format';
import { kindColor } from '../../shared/palette';

/** A layer of the diagram, as its `data-layer` attribute names it. */
export type LayerId = `vm${number}-user` | `vm${number}-kernel` | 'hypervisor' | 'host' | 'hardware';

export interface Transition {
  readonly from: LayerId;
  readonly to: LayerId;
  /** The token's text: the event's kind in the spec's words. */
  readonly label: string;
  /** The caption: what happened, in a sentence. */
  readonly caption: string;
  readonly color: string;
  /** The layer turns red (a fidelity violation, a crash). */
  readonly alarm?: boolean;
}

const user = (vm: number): LayerId => `vm${vm}-user`;
const kernel = (vm: number): LayerId => `vm${vm}-kernel`;

/** The layers of a VM by name ("vm2" → its index), for world switches. */
export type VmIndex = (name: string) => number;

/**
 * The transition an event draws, or null for events not worth a movement (console output, TLB flushes,
 * translation-cache hits: too frequent to follow). `guestLayer` says where the VM's code was when the
 * event came (user or kernel), for events that do not say it themselves.
 */
export function transitionOf(e: TraceEvent, technique: TechniqueId, guestLayer: 'user' | 'kernel', vmIndex: VmIndex): Transition | null {
  const vm = e.vm;
  const from = guestLayer === 'user' ? user(vm) : kernel(vm);
  const color = kindColor(e.kind);
  const hv: LayerId = technique === 'native' ? kernel(vm) : 'hypervisor';
  switch (e.kind) {
    case 'trap':
      return {
        from: e.virtualCpl === 3 ? user(vm) : kernel(vm),
        to: 'hypervisor',
        label: 'trap',
        caption: `Trap to the hypervisor: ${e.cause} (${e.instruction})`,
        color,
      };
    case 'emulate':
      return { from: 'hypervisor', to: 'hypervisor', label: 'emulate', caption: `Emulate ${e.instruction}: ${e.effect}`, color };
    case 'reflect':
      return { from: 'hypervisor', to: kernel(vm), label: 'reflect', caption: `Reflect ${e.name} into the guest kernel`, color };
    case 'inject':
      return { from: 'hypervisor', to: kernel(vm), label: 'inject', caption: `Inject a virtual ${e.name} into the guest kernel`, color };
    case 'vm-exit':
      return { from, to: 'hypervisor', label: 'VM exit', caption: `VM exit: ${e.reasonName} (${e.reason}) — ${e.qualification}`, color };
    case 'vm-entry':
      return {
        from: 'hypervisor',
        to: from,
        label: 'VM entry',
        caption: `VM entry${e.instruction ? ` (${e.instruction})` : ''}: back to the guest in non-root mode`,
        color,
      };
    case 'hypercall':
      return { from: kernel(vm), to: 'hypervisor', label: 'hypercall', caption: `Hypercall ${e.name} → ${e.result}`, color };
    case 'world-switch': {
      const layerOf = (name: string): LayerId =>
        name === 'hypervisor' ? 'hypervisor' : name.startsWith('host OS') ? 'host' : kernel(Math.max(0, vmIndex(name)));
      return {
        from: layerOf(e.from),
        to: layerOf(e.to),
        label: 'world switch',
        caption: `World switch: ${e.from} → ${e.to}`,
        color,
      };
    }
    case 'interrupt':
      return {
        from: e.cause === 'timer' ? 'hardware' : from,
        to: kernel(vm),
        label: e.cause === 'software' ? 'system call' : e.cause === 'timer' ? 'interrupt' : 'exception',
        caption: `${e.name}: the CPU enters the ${technique === 'native' ? '' : 'guest '}kernel`,
        color,
      };
    case 'hidden-fault':
      return { from, to: hv, label: 'hidden fault', caption: 'Hidden page fault: the hypervisor fills the shadow entry', color };
    case 'shadow-update':
      return { from, to: hv, label: 'shadow update', caption: `Shadow table updated: ${e.detail}`, color };
    case 'ept-update':
      return { from: hv, to: hv, label: 'EPT entry', caption: `EPT: guest frame ${e.frame} → host frame ${e.hostFrame}`, color };
    case 'translate':
      return { from: hv, to: hv, label: 'translate', caption: `Translate the block at 0x${e.block.toString(16).toUpperCase()}`, color };
    case 'tc-invalidate':
      return { from: hv, to: hv, label: 'invalidate', caption: 'A store hit translated code: its translation is thrown away', color };
    case 'fidelity-violation':
      return {
        from,
        to: from,
        label: 'fidelity!',
        caption: `Fidelity violation: ${e.instruction} gave ${e.actual} (bare metal: ${e.expected})`,
        color,
        alarm: true,
      };
    case 'vm-state':
      if (e.state === 'running') return null;
      return {
        from,
        to: from,
        label: e.state,
        caption: `The ${technique === 'native' ? 'machine' : 'VM'} is ${e.state}${e.reason ? `: ${e.reason}` : ''}`,
        color,
        alarm: e.state === 'crashed',
      };
    case 'instruction':
    case 'vmx':
    case 'tc-hit':
    case 'tlb-flush':
    case 'io':
    case 'console':
    case 'checkpoint':
    case 'restore':
    case 'migrate-round':
    case 'clone':
    case 'dirty-log':
    case 'stop-and-copy':
    case 'migrate-resume':
    case 'network-fault':
      return null;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Where a VM's code is after an event (for the next event that does not say). */
export function layerAfter(e: TraceEvent, before: 'user' | 'kernel'): 'user' | 'kernel' {
  switch (e.kind) {
    case 'trap':
      return e.virtualCpl === 3 ? 'user' : 'kernel';
    case 'reflect':
    case 'inject':
    case 'interrupt':
    case 'hypercall':
      return 'kernel';
    default:
      return before;
  }
}

/**
 * The chain an event belongs to, for the callout of one event stepped to: trap → emulate (or reflect,
 * inject: the trap's `action` says which), exit → handler → entry (the handler KVM runs for the exit's
 * reason), hypercall → return (its result). `at` is the event's own place in it; null: a lone event.
 */
export function chainOf(e: TraceEvent, technique: TechniqueId): { readonly steps: readonly string[]; readonly at: number } | null {
  switch (e.kind) {
    case 'trap': {
      const next = /^(emulate|reflect|inject)\b/.exec(e.action)?.[1] ?? (/shadow/.test(e.action) ? 'hidden fault' : e.action);
      return { steps: ['trap', next], at: 0 };
    }
    case 'emulate':
      // Binary translation calls out to the emulator from translated code; trap-and-emulate and Xen trap first.
      return { steps: [technique === 'binary-translation' ? 'callout' : 'trap', 'emulate'], at: 1 };
    case 'reflect':
      return { steps: ['trap', 'reflect'], at: 1 };
    case 'hidden-fault':
      return technique === 'hardware-assisted' ? null : { steps: ['trap', 'hidden fault'], at: 1 };
    case 'vm-exit':
      return { steps: ['exit', e.handler ? e.handler.split(':')[0] : 'handler', 'entry'], at: 0 };
    case 'vm-entry':
      return { steps: ['exit', 'handler', 'entry'], at: 2 };
    case 'hypercall':
      return { steps: [`hypercall ${e.name}`, `return ${e.result}`], at: 0 };
    default:
      return null;
  }
}

/** How long one transition takes, by how many wait: slow alone, quick when they pile up. */
export function durationFor(waiting: number): number {
  if (waiting <= 1) return 900;
  if (waiting <= 4) return 450;
  return 160;
}

/** Transitions waiting beyond this are dropped (the oldest): at full speed only the latest show. */
const QUEUE_LIMIT = 6;

export class TransitionPlayer {
  private queue: Transition[] = [];
  private timer = 0;
  private playing = false;
  private skipped = 0;
  /** The event stepped to stays shown (no fade) until the next action. */
  private hold = false;
  /**
   * Each layer's centre in the diagram, measured once and kept until the diagram or a layer changes size:
   * reading geometry for every transition would force a layout of the whole page several times a second.
   */
  private centres = new Map<HTMLElement, { x: number; y: number }>();
  private readonly observed = new WeakSet<HTMLElement>();
  private readonly resized: ResizeObserver | null = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => this.measure());
  private motion: Animation | null = null;

  constructor(
    private readonly diagram: HTMLElement,
    private readonly token: HTMLElement,
    private readonly caption: HTMLElement,
    private readonly reducedMotion: () => boolean,
    private readonly callout?: HTMLElement,
  ) {
    this.resized?.observe(diagram);
  }

  /**
   * One event stepped to: whatever plays stops, this one transition plays alone, and the callout shows
   * the chain it belongs to with its own place marked.
   */
  playOne(t: Transition | null, chain: ReturnType<typeof chainOf>, fallback: string): void {
    this.clear();
    this.setChain(chain, t?.color);
    if (!t) {
      this.describe(fallback);
      return;
    }
    // A lecturer explains the event stepped to: its token stays on its layer until the next action.
    this.push([t]);
    this.hold = true;
  }

  /** The caption in sync with the moment the run is at (after a seek), without movement. */
  describe(text: string, chain: ReturnType<typeof chainOf> = null): void {
    this.clear();
    this.caption.textContent = text;
    this.caption.style.removeProperty('--tone');
    this.setChain(chain);
  }

  /** The callout's chain (null hides it). */
  setChain(chain: ReturnType<typeof chainOf>, tone?: string): void {
    const el = this.callout;
    if (!el) return;
    el.replaceChildren();
    el.hidden = !chain;
    if (!chain) return;
    chain.steps.forEach((step, i) => {
      if (i > 0) el.append(' → ');
      const span = document.createElement('span');
      span.textContent = step;
      if (i === chain.at) {
        span.className = 'now';
        if (tone) span.style.setProperty('--tone', tone);
        span.setAttribute('aria-current', 'step');
      }
      el.append(span);
    });
  }

  /** A transition is playing (or waiting). */
  get busy(): boolean {
    return this.playing;
  }

  enqueue(list: readonly Transition[]): void {
    this.hold = false;
    this.push(list);
  }

  private push(list: readonly Transition[]): void {
    this.queue.push(...list);
    if (this.queue.length > QUEUE_LIMIT) {
      this.skipped += this.queue.length - QUEUE_LIMIT;
      this.queue.splice(0, this.queue.length - QUEUE_LIMIT);
    }
    if (!this.playing) this.next();
  }

  /** Stops at once and forgets what waits (a seek, a new run). */
  clear(): void {
    this.queue = [];
    this.hold = false;
    this.skipped = 0;
    window.clearTimeout(this.timer);
    this.playing = false;
    this.token.classList.remove('visible');
    this.lightUp(null);
  }

  dispose(): void {
    this.clear();
    this.resized?.disconnect();
  }

  private layer(id: LayerId): HTMLElement | null {
    return this.diagram.querySelector<HTMLElement>(`[data-layer="${id}"]`);
  }

  /**
   * Every layer's centre, measured again. A ResizeObserver calls this after the browser has laid the page
   * out, so the reads cost nothing; measuring at the run's first transition instead laid out the page
   * once more in its first, busiest frame.
   */
  private measure(): void {
    this.centres.clear();
    for (const el of this.diagram.querySelectorAll<HTMLElement>('[data-layer]')) this.centre(el);
  }

  private centre(el: HTMLElement): { x: number; y: number } {
    const known = this.centres.get(el);
    if (known && el.isConnected) return known;
    if (!this.observed.has(el)) {
      this.observed.add(el);
      this.resized?.observe(el);
    }
    const d = this.diagram.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    const c = { x: r.left - d.left + r.width / 2, y: r.top - d.top + r.height / 2 };
    this.centres.set(el, c);
    return c;
  }

  private lightUp(t: Transition | null): void {
    for (const el of this.diagram.querySelectorAll('.from, .to, .alarm')) el.classList.remove('from', 'to', 'alarm');
    if (!t) return;
    this.layer(t.from)?.classList.add('from');
    this.layer(t.to)?.classList.add(t.alarm ? 'alarm' : 'to');
  }

  private next(): void {
    const t = this.queue.shift();
    if (!t) {
      this.playing = false;
      if (this.hold) return;
      this.timer = window.setTimeout(() => {
        if (!this.playing) {
          this.token.classList.remove('visible');
          this.lightUp(null);
        }
      }, 1200);
      return;
    }
    window.clearTimeout(this.timer);
    this.playing = true;
    const ms = durationFor(this.queue.length + 1);
    const from = this.layer(t.from);
    const to = this.layer(t.to);
    const more = this.skipped ? ` (+${fmt(this.skipped)} more)` : '';
    this.skipped = 0;
    this.caption.textContent = t.caption + more;
    this.caption.style.setProperty('--tone', t.color);
    this.lightUp(t);
    const token = this.token;
    token.textContent = t.label;
    token.style.setProperty('--tone', t.color);
    if (from && to && !this.reducedMotion()) {
      const a = this.centre(from);
      const b = this.centre(to);
      const same = t.from === t.to;
      const start = `translate(${a.x}px, ${a.y}px) translate(-50%, -50%)`;
      const end = same ? `${start} scale(1.25)` : `translate(${b.x}px, ${b.y}px) translate(-50%, -50%)`;
      // From the start to the end as an animation of its own: no style flush or layout read to restart it.
      token.style.transform = end;
      token.classList.add('visible');
      this.motion?.cancel();
      this.motion =
        typeof token.animate === 'function'
          ? token.animate([{ transform: start }, { transform: end }], {
              duration: Math.round(ms * 0.75),
              easing: 'cubic-bezier(.45,.05,.35,1)',
            })
          : null;
    } else if (to) {
      const b = this.centre(to);
      this.motion?.cancel();
      token.style.transform = `translate(${b.x}px, ${b.y}px) translate(-50%, -50%)`;
      token.classList.add('visible');
    }
    this.timer = window.setTimeout(() => this.next(), ms);
  }
}
