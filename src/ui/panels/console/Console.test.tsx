// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { RunController } from '../../../worker/controller';
import { type EngineHost, engineStore, renderWith } from '../../shared/component-harness';
import { ConsolePanel, consoleBlocks, linesOf } from './Console';

const printer = (text: string) => `${[...text].map((c) => `        OUT 0xE9, ${c.charCodeAt(0)}`).join('\n')}\n        OUT 0xF4, 0\n`;

afterEach(cleanup);

const engine = (host: EngineHost) => new RunController(host);

describe('the Console panel', () => {
  it('shows what the guest printed once the run has ended', async () => {
    const store = engineStore(engine);
    act(() => store.commands.setSource(printer('hi\n')));
    renderWith(store, <ConsolePanel />);
    const region = screen.getByRole('region', { name: 'Console' });
    act(() => store.commands.run());
    await waitFor(() => expect(store.getState().status.state).toBe('stopped'));
    await waitFor(() => expect(region.querySelector('pre')?.textContent).toBe('hi\n'));
    // A single VM: no picker.
    expect(screen.queryByRole('combobox', { name: 'VM shown in Console' })).toBeNull();
  });

  it('draws an update that starts or stops a run in that mode at once, before React renders it', async () => {
    const store = engineStore(engine);
    act(() => store.commands.setSource(printer('hi\n')));
    renderWith(store, <ConsolePanel />);
    act(() => store.commands.run());
    await waitFor(() => expect(store.getState().status.state).toBe('stopped'));
    const pre = screen.getByRole('region', { name: 'Console' }).querySelector('pre') as HTMLPreElement;
    await waitFor(() => expect(pre.textContent).toBe('hi\n'));
    const s = store.getState();
    const snapshot = s.snapshot as NonNullable<typeof s.snapshot>;
    const printed = (console: string) => ({ ...snapshot, vms: [{ ...snapshot.vms[0], console, consoleLength: console.length }] });
    // Outside act: the store's subscription draws; React has not rendered the new state yet.
    store.setState({ status: { ...s.status, state: 'running' }, snapshot: printed('hi\nmore\n') });
    expect(pre.classList.contains('live')).toBe(true);
    expect(pre.querySelector('.console-block')).toBeNull();
    expect(pre.textContent).toBe('hi\nmore\n');
    store.setState({ status: { ...s.status, state: 'paused' }, snapshot: printed('hi\nmore\nagain\n') });
    expect(pre.classList.contains('live')).toBe(false);
    expect(pre.querySelectorAll('.console-block')).toHaveLength(1);
    expect(pre.textContent).toBe('hi\nmore\nagain\n');
    await act(async () => {});
    expect(pre.classList.contains('live')).toBe(false);
  });

  it('with several VMs, shows the VM chosen in its picker', async () => {
    const store = engineStore(engine);
    act(() =>
      store.commands.setVms([
        { name: 'vm1', source: printer('one\n') },
        { name: 'vm2', source: printer('two\n') },
      ]),
    );
    act(() => store.commands.setTechnique('trap-and-emulate'));
    renderWith(store, <ConsolePanel />);
    act(() => store.commands.run());
    await waitFor(() => expect(store.getState().status.state).toBe('stopped'));
    const picker = await screen.findByRole('combobox', { name: 'VM shown in Console' });
    const pre = () => screen.getByRole('region', { name: /Console/ }).querySelector('pre')?.textContent;
    await userEvent.selectOptions(picker, 'vm2 (powered-off)');
    expect(screen.getByRole('heading', { name: /Console · vm2/ })).toBeTruthy();
    await waitFor(() => expect(pre()).toBe('two\n'));
    await userEvent.selectOptions(picker, 'vm1 (powered-off)');
    await waitFor(() => expect(pre()).toBe('one\n'));
  });
});

describe('consoleBlocks', () => {
  it('cuts after every n-th newline, and the blocks joined are the text', () => {
    expect(consoleBlocks('a\nb\nc\nd\ne', 2)).toEqual(['a\nb\n', 'c\nd\n', 'e']);
    expect(consoleBlocks('a\nb\n', 2)).toEqual(['a\nb\n']);
    expect(consoleBlocks('no newline', 2)).toEqual(['no newline']);
    expect(consoleBlocks('', 2)).toEqual([]);
    const long = 'A\n'.repeat(32768);
    const blocks = consoleBlocks(long);
    expect(blocks).toHaveLength(Math.ceil(32768 / 200));
    expect(blocks.join('')).toBe(long);
  });

  it('counts an unfinished last line as a line', () => {
    expect(linesOf('a\nb\n')).toBe(2);
    expect(linesOf('a\nb')).toBe(2);
    expect(linesOf('\n')).toBe(1);
    expect(linesOf('')).toBe(0);
  });
});
