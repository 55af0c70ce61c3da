import { useShallow } from 'zustand/react/shallow';
import { ACTIONS, altHint, altShortcuts } from '../state/actions';
import { useApp, useAppStore } from '../state/context';
import { SpeedControl } from './Speed';

/** The run controls: the toolbar's actions (Checkpoint is the Checkpoints panel's button). */
const TOOLBAR = ACTIONS.filter((a) => !a.panelOnly);

/** The run controls of interfaces.md: each button carries its contract name and key. */
export function Toolbar() {
  const { commands } = useAppStore();
  const enabled = useApp(useShallow((s) => TOOLBAR.map((a) => a.enabled(s))));
  return (
    <div className="toolbar" role="toolbar" aria-label="Run controls">
      {TOOLBAR.map((action, i) => (
        <button
          key={action.id}
          type="button"
          className={`action action-${action.id}`}
          disabled={!enabled[i]}
          aria-label={action.label}
          aria-keyshortcuts={`${action.keys} ${altShortcuts(action)}`}
          title={`${action.description} (${action.keyHint} or ${altHint(action)})`}
          data-key={action.keyHint.length <= 4 ? action.keyHint : undefined}
          onClick={() => action.perform(commands)}
        >
          {/* The name is aria-label (the contract's); the face may be shorter. The key is a hint drawn by CSS
              (::after), so that the visible label stays part of the name (WCAG 2.5.3, label in name). */}
          <span>{action.face ?? action.label}</span>
        </button>
      ))}
      <SpeedControl />
    </div>
  );
}
