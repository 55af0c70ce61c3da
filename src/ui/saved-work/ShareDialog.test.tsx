// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import jsQR from 'jsqr';
import { afterEach, describe, expect, it } from 'vitest';
import { libraryScenario } from '../../scenario/library';
import { decodeLink } from '../../scenario/link';
import { RunController } from '../../worker/controller';
import { type EngineHost, engineStore, renderWith } from '../shared/component-harness';
import { ShareDialog } from './ShareDialog';

afterEach(cleanup);

const engine = (host: EngineHost) => new RunController(host);

/** The QR code as the dialog draws it (an SVG path of one-module squares), read back with jsQR. */
function scanDrawn(svg: Element): string | null {
  const n = Number(svg.getAttribute('viewBox')?.split(' ')[2]);
  const scale = 4;
  const w = n * scale;
  const data = new Uint8ClampedArray(w * w * 4).fill(255);
  for (const [, x, y] of (svg.querySelector('path')?.getAttribute('d') ?? '').matchAll(/M(\d+),(\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < scale; dx++) {
        const p = ((Number(y) * scale + dy) * w + Number(x) * scale + dx) * 4;
        data[p] = data[p + 1] = data[p + 2] = 0;
      }
  }
  return jsQR(data, w, w, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

function opened(id: string, edit?: (source: string) => string) {
  const store = engineStore(engine);
  const scenario = libraryScenario(id);
  if (!scenario) throw new Error(id);
  act(() => store.commands.openScenario(scenario, id));
  if (edit) act(() => store.commands.setSource(edit(store.getState().source)));
  return store;
}

const link = () => (screen.getByRole('textbox', { name: /Share link/ }) as HTMLTextAreaElement).value;

describe('the Share dialog', () => {
  it('gives a library scenario a short #lib= link and a QR code of version 5 or less that reads back', async () => {
    renderWith(opened('popf-problem'), <ShareDialog onClose={() => {}} copied={Promise.resolve(true)} />);
    const dialog = screen.getByRole('dialog', { name: 'Share this scenario' });
    expect(link()).toBe(`${window.location.origin}${window.location.pathname}#lib=popf-problem`);
    expect(await within(dialog).findByText('The link is copied to the clipboard.')).toBeTruthy();
    const qr = await within(dialog).findByRole('img', { name: /^QR code of the share link/ });
    const version = Number(/version (\d+)/.exec(qr.getAttribute('aria-label') ?? '')?.[1]);
    expect(version).toBeGreaterThanOrEqual(1);
    expect(version).toBeLessThanOrEqual(5);
    expect(scanDrawn(qr)).toBe(link());
    expect(within(dialog).getByText(/a short library link/)).toBeTruthy();
  });

  it('gives edited work a full link that opens as the same program, and leaves the notes out when asked', async () => {
    const store = opened('vtx-exits', (s) => `; my change\n${s}`);
    renderWith(store, <ShareDialog onClose={() => {}} copied={Promise.resolve(false)} />);
    const dialog = screen.getByRole('dialog', { name: 'Share this scenario' });
    expect(await within(dialog).findByText(/did not let the page copy/)).toBeTruthy();
    const full = link();
    expect(full).toMatch(/#s=1\./);
    const back = decodeLink(full);
    expect(back.ok && back.scenario.vms[0].source).toBe(store.getState().source);
    expect(back.ok && back.scenario.notes).toBeTruthy();
    await userEvent.click(within(dialog).getByRole('checkbox', { name: /Include the notes/ }));
    const short = link();
    expect(short.length).toBeLessThan(full.length);
    const noNotes = decodeLink(short);
    expect(noNotes.ok && noNotes.scenario.notes).toBe('');
    // The QR code follows the link shown.
    const qr = await within(dialog).findByRole('img', { name: /^QR code of the share link/ });
    await waitFor(() => expect(scanDrawn(qr)).toBe(short));
  });

  it('says when a link is too long for a QR code, and that leaving the notes out shortens it', async () => {
    renderWith(
      opened('popf-problem', (s) => `; my change\n${s}`),
      <ShareDialog onClose={() => {}} copied={Promise.resolve(true)} />,
    );
    const dialog = screen.getByRole('dialog', { name: 'Share this scenario' });
    const length = link().length;
    expect(length).toBeGreaterThan(2953);
    expect(
      await within(dialog).findByText(
        `No QR code: the link is ${length.toLocaleString('en-US')} characters and a QR code holds at most 2,953. Leaving the notes out shortens it.`,
      ),
    ).toBeTruthy();
    expect(within(dialog).queryByRole('img', { name: /QR code/ })).toBeNull();
  });
});
