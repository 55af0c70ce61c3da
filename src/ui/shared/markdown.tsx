// A tiny Markdown renderer for scenario notes, which are untrusted (a link carries them): it builds React
// elements, never HTML, so `<script>` and `&amp;` stay text. It knows paragraphs, **bold**, *emphasis*,
// `code`, numbered and bulleted lists, and [links](https://…) whose address is http or https (any other
// address, javascript: included, leaves the link's text alone). Linear time on any input.
import type { ReactNode } from 'react';

export type Inline =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'strong'; readonly children: readonly Inline[] }
  | { readonly kind: 'em'; readonly children: readonly Inline[] }
  | { readonly kind: 'link'; readonly href: string; readonly children: readonly Inline[] };

export type Block =
  | { readonly kind: 'p'; readonly children: readonly Inline[] }
  | { readonly kind: 'ul'; readonly items: readonly (readonly Inline[])[] }
  | { readonly kind: 'ol'; readonly start: number; readonly items: readonly (readonly Inline[])[] };

/** How far a closing marker or bracket is looked for: keeps a page of unclosed ones linear. */
const REACH = 1000;
/** Emphasis nested deeper than this is text. */
const MAX_DEPTH = 6;

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;

/** The address of a link when it is a plain http(s) URL; undefined for anything else. */
export function safeHref(raw: string): string | undefined {
  const text = raw.trim();
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The next `marker` at or after `from`, within REACH of `start`; -1 if none. */
function find(text: string, marker: string, from: number, start: number): number {
  const at = text.indexOf(marker, from);
  return at >= 0 && at - start <= REACH ? at : -1;
}

const WORD = /[\p{L}\p{N}]/u;

function pushText(out: Inline[], text: string): void {
  if (!text) return;
  const last = out[out.length - 1];
  if (last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + text };
  else out.push({ kind: 'text', text });
}

export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let i = 0;
  let plain = '';
  const flush = () => {
    pushText(out, plain);
    plain = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#+\-.!]/.test(text[i + 1])) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = find(text, '`', i + 1, i);
      if (end > i + 1) {
        flush();
        out.push({ kind: 'code', text: text.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    // `_` inside a word (set_trap_table) is a letter, not emphasis.
    if ((c === '*' || (c === '_' && !WORD.test(text[i - 1] ?? ''))) && depth < MAX_DEPTH) {
      const double = text[i + 1] === c;
      const marker = double ? c + c : c;
      const from = i + marker.length;
      // An opener is followed by a non-space; the closer is the next same marker after a non-space.
      if (from < text.length && text[from] !== ' ') {
        const ok = (at: number) =>
          text[at - 1] !== ' ' && (double || text[at + 1] !== c) && (c !== '_' || !WORD.test(text[at + marker.length] ?? ''));
        let end = find(text, marker, from + 1, i);
        // A single marker must not be half of a double one (`*a **b** c*` closes at the last `*`).
        while (end > 0 && !ok(end)) end = find(text, marker, end + (double ? 1 : 2), i);
        if (end > from) {
          flush();
          const children = parseInline(text.slice(from, end), depth + 1);
          out.push(double ? { kind: 'strong', children } : { kind: 'em', children });
          i = end + marker.length;
          continue;
        }
      }
    }
    if (c === '[') {
      const close = find(text, '](', i + 1, i);
      if (close > i) {
        const end = find(text, ')', close + 2, close);
        if (end > close) {
          flush();
          const label = parseInline(text.slice(i + 1, close), depth + 1);
          const href = safeHref(text.slice(close + 2, end));
          if (href) out.push({ kind: 'link', href, children: label });
          else for (const part of label) out.push(part); // not a web address: its text only
          i = end + 1;
          continue;
        }
      }
    }
    plain += c;
    i++;
  }
  flush();
  return out;
}

export function parseMarkdown(text: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  let list: { kind: 'ul' | 'ol'; start: number; items: string[] } | null = null;
  const endPara = () => {
    if (para.length) blocks.push({ kind: 'p', children: parseInline(para.join(' ')) });
    para = [];
  };
  const endList = () => {
    if (list) {
      const items = list.items.map((t) => parseInline(t));
      blocks.push(list.kind === 'ul' ? { kind: 'ul', items } : { kind: 'ol', start: list.start, items });
    }
    list = null;
  };
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (!line.trim()) {
      endPara();
      endList();
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      endPara();
      const kind = bullet ? 'ul' : 'ol';
      if (list && list.kind !== kind) endList();
      if (!list) list = { kind, start: numbered ? Number(numbered[1]) : 1, items: [] };
      list.items.push((bullet ? bullet[1] : numbered?.[2]) ?? '');
      continue;
    }
    if (list && /^\s+\S/.test(raw)) {
      // An indented line continues the list item above it.
      list.items[list.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    endList();
    para.push(line.trim());
  }
  endPara();
  endList();
  return blocks;
}

function renderInline(nodes: readonly Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.kind) {
      case 'text':
        return n.text;
      case 'code':
        // biome-ignore lint/suspicious/noArrayIndexKey: inline nodes have no identity but their place
        return <code key={i}>{n.text}</code>;
      case 'strong':
        // biome-ignore lint/suspicious/noArrayIndexKey: as above
        return <strong key={i}>{renderInline(n.children)}</strong>;
      case 'em':
        // biome-ignore lint/suspicious/noArrayIndexKey: as above
        return <em key={i}>{renderInline(n.children)}</em>;
      case 'link':
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: as above
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer">
            {renderInline(n.children)}
          </a>
        );
      default: {
        const never: never = n;
        return String(never);
      }
    }
  });
}

/** One line of Markdown (a checklist step) inside a span: bold, emphasis, code and links only. */
export function MarkdownInline({ text }: { text: string }) {
  return <span className="markdown-inline">{renderInline(parseInline(text))}</span>;
}

/** Notes as React elements: the only way the page shows Markdown. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const blocks = parseMarkdown(text);
  return (
    <div className={className ?? 'markdown'}>
      {blocks.map((b, i) => {
        switch (b.kind) {
          case 'p':
            // biome-ignore lint/suspicious/noArrayIndexKey: blocks have no identity but their place
            return <p key={i}>{renderInline(b.children)}</p>;
          case 'ul':
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: as above
              <ul key={i}>
                {b.items.map((item, k) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: as above
                  <li key={k}>{renderInline(item)}</li>
                ))}
              </ul>
            );
          case 'ol':
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: as above
              <ol key={i} start={b.start}>
                {b.items.map((item, k) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: as above
                  <li key={k}>{renderInline(item)}</li>
                ))}
              </ol>
            );
          default: {
            const never: never = b;
            return String(never);
          }
        }
      })}
    </div>
  );
}
