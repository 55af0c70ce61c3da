// The run's timeline: where the run is, how far it has gone, and its hypervisor events marked as a
// histogram. A slider (role slider, named Timeline): dragging it, clicking it or its keys move the whole
// page to that moment (a seek). Drawn on a canvas from store subscriptions, outside React's renders.
import { type ReactNode, useEffect, useRef } from 'react';
import { TIMELINE_BUCKETS, TIMELINE_CATEGORIES, type TimelineView } from '../../../protocol/messages';
import { fmt } from '../../shared/format';
import { CATEGORY_COLOR, CATEGORY_LABEL } from '../../shared/palette';
import { useApp, useAppStore } from '../../state/context';
import type { AppState } from '../../state/store';
import { timelineMarks } from '../checkpoints/checkpoint-rows';

function spanOf(s: AppState): number {
  return Math.max(1, s.timeline?.furthest ?? 0, s.status.steps);
}

/** Checkpoints taken (blue) and restored (amber) on the timeline; the legend names them. */
const TAKEN_COLOR = '#1d4ed8';
const RESTORED_COLOR = '#b45309';

function marksOf(s: AppState) {
  return timelineMarks(s.snapshot?.checkpoints);
}

function draw(
  canvas: HTMLCanvasElement,
  size: { w: number; h: number },
  timeline: TimelineView | null,
  steps: number,
  span: number,
  marks: { taken: readonly number[]; restored: readonly number[] },
): void {
  const dpr = window.devicePixelRatio || 1;
  const { w, h } = size;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const x = (step: number) => (step / span) * w;
  // What has been run (the future of a seek included) and what is past at this moment.
  const furthest = Math.max(steps, timeline?.furthest ?? 0);
  ctx.fillStyle = '#e6e9ef';
  ctx.fillRect(0, 0, x(furthest), h);
  ctx.fillStyle = '#cdd9f7';
  ctx.fillRect(0, 0, x(steps), h);
  if (timeline) {
    // Stacked bars per pixel column: each category's events, on a logarithmic scale so a lone trap
    // shows beside a storm of them.
    const columns = Math.max(1, Math.floor(w));
    const perColumn = new Map<number, number[]>();
    TIMELINE_CATEGORIES.forEach((c, ci) => {
      const b = timeline.buckets[c];
      for (let i = 0; i < TIMELINE_BUCKETS; i++) {
        if (!b[i]) continue;
        const col = Math.min(columns - 1, Math.floor(x((i + 0.5) * timeline.bucketWidth)));
        let counts = perColumn.get(col);
        if (!counts) perColumn.set(col, (counts = new Array<number>(TIMELINE_CATEGORIES.length).fill(0)));
        counts[ci] += b[i];
      }
    });
    const barW = Math.max(2, Math.min(8, (timeline.bucketWidth / span) * w - 1));
    for (const [col, counts] of perColumn) {
      let y = h;
      counts.forEach((n, ci) => {
        if (!n) return;
        const bh = Math.min(h, 4 + Math.log2(1 + n) * 3);
        ctx.fillStyle = CATEGORY_COLOR[TIMELINE_CATEGORIES[ci]];
        ctx.fillRect(col, Math.max(0, y - bh), barW, bh);
        y -= bh;
      });
    }
    ctx.fillStyle = CATEGORY_COLOR.fidelity;
    for (const v of timeline.violations) ctx.fillRect(x(v) - 1, 0, 3, h);
  }
  // Checkpoints: a triangle on top where one was taken, one below where one was restored.
  for (const [list, color, top] of [
    [marks.taken, TAKEN_COLOR, true],
    [marks.restored, RESTORED_COLOR, false],
  ] as const) {
    ctx.fillStyle = color;
    for (const at of list) {
      const mx = x(at);
      ctx.fillRect(mx - 1, 0, 2, h);
      ctx.beginPath();
      const y0 = top ? 0 : h;
      const y1 = top ? 7 : h - 7;
      ctx.moveTo(mx - 5, y0);
      ctx.lineTo(mx + 5, y0);
      ctx.lineTo(mx, y1);
      ctx.fill();
    }
  }
  // The present.
  ctx.fillStyle = '#14161a';
  ctx.fillRect(Math.min(w - 3, x(steps)) - 1, 0, 3, h);
}

/** `status` (the run state) is drawn at the bar's start: where the run is and what it is doing, together. */
export function Timeline({ status, children }: { status?: ReactNode; children?: ReactNode }) {
  const store = useAppStore();
  const canvas = useRef<HTMLCanvasElement>(null);
  const steps = useApp((s) => s.status.steps);
  const span = useApp(spanOf);
  const enabled = useApp((s) => s.status.state !== 'idle');
  const furthest = useApp((s) => Math.max(s.timeline?.furthest ?? 0, s.status.steps));
  const marks = useApp((s) => JSON.stringify(marksOf(s)));
  const { taken, restored } = JSON.parse(marks) as { taken: number[]; restored: number[] };

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    let frame = 0;
    // The canvas's size is read once and then told by the ResizeObserver: reading it at each draw laid
    // the page out once more in every frame of a run.
    const size = { w: el.clientWidth, h: el.clientHeight };
    const redraw = () => {
      frame = 0;
      const s = store.getState();
      draw(el, size, s.timeline, s.status.steps, spanOf(s), marksOf(s));
    };
    const later = () => {
      if (!frame) frame = requestAnimationFrame(redraw);
    };
    redraw();
    let drawnMarks = '';
    const unsubscribe = store.subscribe((s, prev) => {
      const m = JSON.stringify(marksOf(s));
      if (s.timeline !== prev.timeline || s.status !== prev.status || m !== drawnMarks) later();
      drawnMarks = m;
    });
    const resize = new ResizeObserver(() => {
      size.w = el.clientWidth;
      size.h = el.clientHeight;
      later();
    });
    resize.observe(el);
    return () => {
      unsubscribe();
      resize.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [store]);

  // Dragging seeks at most once per frame: the worker answers a seek back in a few milliseconds.
  const drag = useRef<{ target: number | null; frame: number }>({ target: null, frame: 0 });
  const seekSoon = (target: number) => {
    const d = drag.current;
    d.target = target;
    if (d.frame) return;
    d.frame = requestAnimationFrame(() => {
      d.frame = 0;
      if (d.target !== null) store.commands.seek(d.target);
      d.target = null;
    });
  };
  const stepAt = (e: React.PointerEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const f = Math.max(0, Math.min(1, (e.clientX - r.left) / Math.max(1, r.width)));
    return Math.min(furthest, Math.round(f * span));
  };

  const onKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const big = Math.max(1, Math.round(span / 10));
    const small = e.shiftKey ? Math.max(1, Math.round(span / 100)) : 1;
    let target: number | null = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowUp') target = steps + small;
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') target = steps - small;
    else if (e.key === 'PageUp') target = steps + big;
    else if (e.key === 'PageDown') target = steps - big;
    else if (e.key === 'Home') target = 0;
    else if (e.key === 'End') target = furthest;
    if (target === null) return;
    e.preventDefault();
    store.commands.seek(Math.max(0, Math.min(furthest, target)));
  };

  return (
    <section className="timeline-bar" aria-label="Run timeline">
      {status}
      <span className="timeline-label" id="timeline-label">
        Timeline
      </span>
      <div
        className="timeline"
        role="slider"
        tabIndex={enabled ? 0 : -1}
        aria-label="Timeline"
        aria-disabled={!enabled}
        aria-valuemin={0}
        aria-valuemax={furthest}
        aria-valuenow={steps}
        aria-valuetext={`instruction ${fmt(steps)} of ${fmt(furthest)}`}
        aria-keyshortcuts="ArrowLeft ArrowRight PageUp PageDown Home End"
        title="Drag to move the whole run to that moment; arrow keys: one instruction, Page Up/Down: a tenth"
        onKeyDown={enabled ? onKey : undefined}
        onPointerDown={(e) => {
          if (!enabled || e.button !== 0) return;
          e.currentTarget.setPointerCapture(e.pointerId);
          e.currentTarget.focus();
          seekSoon(stepAt(e));
        }}
        onPointerMove={(e) => {
          if (enabled && e.currentTarget.hasPointerCapture(e.pointerId)) seekSoon(stepAt(e));
        }}
      >
        <canvas ref={canvas} />
      </div>
      <span className="timeline-position" aria-hidden="true">
        {fmt(steps)} / {fmt(furthest)}
      </span>
      <ul className="legend" aria-label="Timeline marks">
        {TIMELINE_CATEGORIES.filter((c) => c !== 'state').map((c) => (
          <li key={c}>
            <span className="swatch" style={{ background: CATEGORY_COLOR[c] }} />
            {CATEGORY_LABEL[c]}
          </li>
        ))}
      </ul>
      {/* The canvas marks checkpoints (blue on top: taken; amber below: restored); their steps as text. */}
      {taken.length + restored.length > 0 && (
        <ul className="sr-only" aria-label="Checkpoint marks">
          {taken.map((t) => (
            <li key={`t${t}`}>checkpoint taken at step {fmt(t)}</li>
          ))}
          {restored.map((t) => (
            <li key={`r${t}`}>checkpoint restored at step {fmt(t)}</li>
          ))}
        </ul>
      )}
      {children}
    </section>
  );
}
