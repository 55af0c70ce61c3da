// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { RunController } from '../../../worker/controller';
import { type EngineHost, engineStore, renderWith } from '../../shared/component-harness';
import { EventsPanel } from './Events';

afterEach(cleanup);

const engine = (host: EngineHost) => new RunController(host);

/** Under trap-and-emulate CLI and STI trap and are emulated; OUT traps too, and prints. */
const TRAPPING = '        CLI\n        STI\n        OUT 0xE9, 65\n        OUT 0xF4, 0\n';

async function ranToEnd() {
  const store = engineStore(engine);
  act(() => {
    store.commands.setSource(TRAPPING);
    store.commands.setTechnique('trap-and-emulate');
  });
  renderWith(store, <EventsPanel />);
  act(() => store.commands.run());
  await waitFor(() => expect(store.getState().status.state).toBe('stopped'));
  return store;
}

const list = () => screen.getByRole('listbox', { name: 'Event list' });
const kinds = () => [...list().querySelectorAll('.ev-kind')].map((k) => k.textContent);

describe('the Events panel', () => {
  it('says there are no events yet before the run', () => {
    renderWith(engineStore(engine), <EventsPanel />);
    expect(within(list()).getByRole('option').textContent).toBe('No events yet: run or step the program.');
    expect(screen.queryByRole('button', { name: 'Show all events' })).toBeNull();
  });

  it('lists the run’s events, and its filter shows one kind only', async () => {
    const store = await ranToEnd();
    await waitFor(() => expect(kinds()).toContain('emulate'));
    expect(kinds()).toContain('trap');
    const filter = screen.getByRole('combobox', { name: 'Show' });
    // Only the kinds that happened are offered.
    const offered = within(filter)
      .getAllByRole('option')
      .map((o) => (o as HTMLOptionElement).value);
    expect(offered).toContain('trap');
    expect(offered).not.toContain('vm-exit');
    await userEvent.selectOptions(filter, 'trap');
    expect(store.getState().eventFilter).toBe('trap');
    await waitFor(() => expect(kinds().length).toBeGreaterThan(0));
    expect(new Set(kinds())).toEqual(new Set(['trap']));
    const shown = store.getState().snapshot?.eventCounts?.trap ?? 0;
    expect(screen.getByRole('heading', { name: /Events/ }).textContent).toContain(`${shown} shown`);
  });

  it('says what a filter that hides every event hides, and offers them all', async () => {
    const store = await ranToEnd();
    act(() => store.commands.setEventFilter('fidelity-violation'));
    const all = store.getState().snapshot?.eventCount ?? 0;
    expect(all).toBeGreaterThan(0);
    await waitFor(() =>
      expect(within(list()).getByRole('option').textContent).toBe(
        `None of the ${all} events so far is shown: the filter “fidelity-violation” hides them all.`,
      ),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Show all events' }));
    expect(store.getState().eventFilter).toBe('all');
    await waitFor(() => expect(kinds().length).toBeGreaterThan(0));
    expect(screen.queryByText(/hides them all/)).toBeNull();
  });
});
