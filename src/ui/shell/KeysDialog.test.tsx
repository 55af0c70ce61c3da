// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../shared/component-harness';
import { ACTIONS } from '../state/actions';
import { KeysDialog } from './KeysDialog';

afterEach(cleanup);

/** The cells of the row headed `name` in `table`. */
const cells = (table: HTMLElement, name: string) =>
  within(within(table).getByRole('rowheader', { name }).closest('tr') as HTMLElement)
    .getAllByRole('cell')
    .map((c) => c.textContent);

describe('the Keys dialog', () => {
  it('lists every run control with its function key and the key that works in any browser', () => {
    render(<KeysDialog onClose={() => {}} />);
    const dialog = screen.getByRole('dialog', { name: 'Keys' });
    const controls = within(dialog).getByRole('table', { name: /Run controls/ });
    expect(cells(controls, 'Run')).toEqual(['F5', 'Ctrl+\\']);
    expect(cells(controls, 'Pause')).toEqual(['F6', 'Ctrl+\\']);
    expect(cells(controls, 'Step')).toEqual(['F10', "Ctrl+'"]);
    for (const a of ACTIONS) {
      const [fkey, alt] = cells(controls, a.label);
      expect(fkey, a.id).toBe(a.keys.replace('Control', 'Ctrl'));
      expect(alt, a.id).toMatch(/^Ctrl\+/);
    }
    // The page's, the editor's, the lists' and presentation mode's keys, each in a table of its own.
    expect(cells(within(dialog).getByRole('table', { name: 'The page' }), '?')).toEqual(['this sheet of keys']);
    expect(cells(within(dialog).getByRole('table', { name: 'The editor' }), 'Tab')).toEqual(['accept the completion offered']);
    expect(within(dialog).getByRole('table', { name: 'Lists and the timeline' })).toBeTruthy();
    expect(cells(within(dialog).getByRole('table', { name: 'Presentation mode' }), 'Space')).toEqual(['one instruction']);
  });

  it('closes with its Close button and with Escape', async () => {
    const onClose = vi.fn();
    render(<KeysDialog onClose={onClose} />);
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalledTimes(1);
    // Escape on a modal <dialog> is the browser's `cancel` event (jsdom does not make it from the key).
    fireEvent(screen.getByRole('dialog', { name: 'Keys' }), new Event('cancel', { cancelable: true }));
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it('keeps the page’s own keys out while it is open', async () => {
    const onPageKey = vi.fn();
    render(
      // biome-ignore lint/a11y/noStaticElementInteractions: stands for the page's key handler around the dialog
      <div onKeyDown={onPageKey}>
        <KeysDialog onClose={() => {}} />
      </div>,
    );
    screen.getByRole('button', { name: 'Close' }).focus();
    await userEvent.keyboard('3');
    expect(onPageKey).not.toHaveBeenCalled();
  });
});
