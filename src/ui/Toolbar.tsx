import { useShallow } from 'zustand/react/shallow';
import { TECHNIQUE_IDS } from '../protocol/messages';
import { ACTIONS } from './actions';
import { useApp, useAppStore } from './context';
import { isTechniqueId } from './store';

export function Toolbar() {
  const { commands } = useAppStore();
  const enabled = useApp(useShallow((s) => ACTIONS.map((a) => a.enabled(s))));
  const technique = useApp((s) => s.technique);
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
          {action.label}
          {action.keyHint.length <= 3 && <kbd>{action.keyHint}</kbd>}
        </button>
      ))}
      <label className="technique">
        <span>Technique</span>
        <select
          value={technique}
          aria-keyshortcuts="1 2 3 4 5 6"
          onChange={(e) => {
            if (isTechniqueId(e.target.value)) commands.setTechnique(e.target.value);
          }}
        >
          {TECHNIQUE_IDS.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
