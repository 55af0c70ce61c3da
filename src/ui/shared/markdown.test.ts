import fc from 'fast-check';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LIBRARY } from '../../scenario/library';
import { Markdown, parseInline, parseMarkdown, safeHref } from './markdown';

const html = (text: string) => renderToStaticMarkup(createElement(Markdown, { text }));

describe('the notes Markdown renderer', () => {
  it('renders paragraphs, bold, emphasis, code and lists', () => {
    expect(html('One **bold** and *em* and `MOV R0, 1`.\nSame paragraph.\n\nSecond.')).toBe(
      '<div class="markdown"><p>One <strong>bold</strong> and <em>em</em> and <code>MOV R0, 1</code>. Same paragraph.</p><p>Second.</p></div>',
    );
    expect(html('- a\n- *b*\n  continued\n\n3. three\n4. four')).toBe(
      '<div class="markdown"><ul><li>a</li><li><em>b</em> continued</li></ul><ol start="3"><li>three</li><li>four</li></ol></div>',
    );
    expect(html('**What to look for**\n\n1. Step to event\n2. Run')).toContain('<ol start="1"><li>Step to event</li><li>Run</li></ol>');
  });

  it('links only to http and https addresses', () => {
    expect(html('[Xen](https://xenproject.org/)')).toBe(
      '<div class="markdown"><p><a href="https://xenproject.org/" target="_blank" rel="noopener noreferrer">Xen</a></p></div>',
    );
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>x</script>',
      'vbscript:x',
      '//evil.example',
      'file:///etc/passwd',
    ]) {
      const out = html(`[click](${bad})`);
      expect(out).not.toContain('<a');
      expect(out).not.toContain('href');
      expect(out).toContain('click');
    }
    expect(safeHref('https://a.example/x?y=1')).toBe('https://a.example/x?y=1');
    expect(safeHref('http://')).toBeUndefined();
  });

  it('keeps HTML and entities as text', () => {
    const out = html('<script>alert(1)</script> &amp; &lt;b&gt; <img src=x onerror=alert(1)>');
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The entity is shown as written: its ampersand is escaped, not decoded.
    expect(out).toContain('&amp;amp; &amp;lt;b&amp;gt;');
    expect(html('`<b>code</b>`')).toContain('<code>&lt;b&gt;code&lt;/b&gt;</code>');
    expect(html('**<i>x</i>**')).toContain('<strong>&lt;i&gt;x&lt;/i&gt;</strong>');
  });

  it('treats unclosed markers, snake_case and escapes as text', () => {
    expect(parseInline('a * b and 2*3')).toEqual([{ kind: 'text', text: 'a * b and 2*3' }]);
    expect(parseInline('set_trap_table and mmu_update')).toEqual([{ kind: 'text', text: 'set_trap_table and mmu_update' }]);
    expect(parseInline('\\*not em\\*')).toEqual([{ kind: 'text', text: '*not em*' }]);
    expect(parseInline('`unclosed')).toEqual([{ kind: 'text', text: '`unclosed' }]);
    expect(parseInline('*a **b** c*')).toEqual([
      {
        kind: 'em',
        children: [
          { kind: 'text', text: 'a ' },
          { kind: 'strong', children: [{ kind: 'text', text: 'b' }] },
          { kind: 'text', text: ' c' },
        ],
      },
    ]);
  });

  // How fast hostile input parses is a figure of bench/engine.bench.ts, not a test.
  it('never throws on hostile input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        expect(() => html(s)).not.toThrow();
        expect(html(s)).not.toMatch(/<(script|img|iframe|a )/i);
      }),
    );
    for (const s of ['*x '.repeat(30_000), '['.repeat(90_000), '`'.repeat(90_000), '_a '.repeat(30_000), '**'.repeat(45_000)])
      expect(() => parseMarkdown(s)).not.toThrow();
  });

  it('renders every library scenario’s notes', () => {
    for (const e of LIBRARY) {
      const out = html(e.notes);
      expect(out.startsWith('<div class="markdown"><p>'), e.id).toBe(true);
      expect(out, e.id).not.toMatch(/\*\*|(^|[^\w])`/);
    }
  });
});
