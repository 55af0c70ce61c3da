import { useShallow } from 'zustand/react/shallow';
import { ACTIONS } from './actions';
import { useApp, useAppStore } from './context';
import { SpeedControl } from './Speed';

/** The run controls of interfaces.md: each button carries its contract name and key. */
export function Toolbar() {
  const { commands } = useAppStore();
  const enabled = useApp(useShallow((s) => ACTIONS.map((a) => a.enabled(s))));
  return (
    <div className="toolbar" role="toolbar" aria-label="Run controls">
      {ACTIONS.map((action, i) => (
        <button
          key={action.id}
          type="button"
          className={`action action-${action.id}`}
          disabled={!enabled[i]}
          aria-label={action.label}
          aria-keyshortcuts={action.keys}
          title={`${action.description} (${action.keyHint})`}
          onClick={() => action.perform(commands)}
        >
          {/* The name is aria-label (the contract's); the face may be shorter, the key is a hint. */}
          <span>{action.face ?? action.label}</span>
          {action.keyHint.length <= 4 && <kbd>{action.keyHint}</kbd>}
        </button>
      ))}
      <SpeedControl />
    </div>
  );
}
