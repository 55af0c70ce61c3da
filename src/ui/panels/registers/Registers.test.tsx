// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { RunController } from '../../../worker/controller';
import { type EngineHost, engineStore, renderWith } from '../../shared/component-harness';
import { RegistersPanel } from './Registers';

afterEach(cleanup);

const engine = (host: EngineHost) => new RunController(host);

/** The value cell of register `name` (a row header) in the panel. */
const value = (name: string) => within(screen.getByRole('rowheader', { name }).closest('tr') as HTMLElement).getAllByRole('cell')[0];

describe('the Registers panel', () => {
  it('shows the registers after a step, and marks what the step changed', async () => {
    const store = engineStore(engine);
    act(() => store.commands.setSource('        MOV R1, 42\n        MOV R2, 7\n        OUT 0xF4, 0\n'));
    renderWith(store, <RegistersPanel />);
    act(() => store.commands.step());
    await waitFor(() => expect(value('R1').textContent).toBe('0x0000002A'));
    expect(value('R2').textContent).toBe('0x00000000');
    expect(value('R1').closest('tr')?.className).toBe('changed');
    expect(value('R2').closest('tr')?.className).toBe('');
    // Bare metal has no virtual CPU: one column, the machine's own CPL.
    const cpl = within(screen.getByRole('rowheader', { name: 'CPL' }).closest('tr') as HTMLElement).getAllByRole('cell');
    expect(cpl.map((c) => c.textContent)).toEqual(['0']);
  });

  it('with several VMs, the picker chooses whose registers are shown', async () => {
    const store = engineStore(engine);
    act(() =>
      store.commands.setVms([
        { name: 'vm1', source: '        MOV R3, 0x11\n        OUT 0xF4, 0\n' },
        { name: 'vm2', source: '        MOV R3, 0x22\n        OUT 0xF4, 0\n' },
      ]),
    );
    act(() => store.commands.setTechnique('trap-and-emulate'));
    renderWith(store, <RegistersPanel />);
    act(() => store.commands.run());
    await waitFor(() => expect(store.getState().status.state).toBe('stopped'));
    const picker = await screen.findByRole('combobox', { name: 'VM shown in Registers' });
    await userEvent.selectOptions(picker, 'vm2 (powered-off)');
    await waitFor(() => expect(value('R3').textContent).toBe('0x00000022'));
    expect(screen.getByRole('heading', { name: /Registers · vm2/ })).toBeTruthy();
    await userEvent.selectOptions(picker, 'vm1 (powered-off)');
    await waitFor(() => expect(value('R3').textContent).toBe('0x00000011'));
    // Trap-and-emulate runs the guest kernel at real CPL 3 while it believes it is at 0.
    const cpl = within(screen.getByRole('rowheader', { name: 'CPL' }).closest('tr') as HTMLElement).getAllByRole('cell');
    expect(cpl[0].textContent).toBe('0');
  });
});
