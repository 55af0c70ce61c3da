// The Checkpoints panel (issue 15): take a checkpoint at this moment (the Checkpoint button and F8 do the
// same), the list of them with the moment, the VM and the size of what each saved, and for each: restore,
// save as a file (the command line's versioned format), clone into a new VM, delete; and open a file back
// (refused with the reason when it is corrupt, of an unknown version, or of another program or technique).
import { useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { download } from '../../saved-work/download';
import { ACTIONS, altHint, altShortcuts } from '../../state/actions';
import { useApp, useAppStore } from '../../state/context';
import { checkpointRows, kib } from './checkpoint-rows';
import '../migration/migration.css';

const action = ACTIONS.find((a) => a.id === 'checkpoint') as (typeof ACTIONS)[number];

export function CheckpointsPanel() {
  const store = useAppStore();
  const { commands } = store;
  const list = useApp(useShallow((s) => s.snapshot?.checkpoints ?? []));
  const steps = useApp((s) => s.status.steps);
  const idle = useApp((s) => s.status.state === 'idle');
  const native = useApp((s) => s.technique === 'native');
  const notice = useApp((s) => s.checkpointNotice);
  const enabled = useApp((s) => action.enabled(s));
  const [said, setSaid] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const rows = checkpointRows(list, steps);

  const save = async (index: number) => {
    const a = await store.ask({ kind: 'checkpoint-file', index }).answer;
    if (a?.kind !== 'checkpoint-file' || a.text === null) {
      setSaid(`The checkpoint could not be saved: ${a?.kind === 'checkpoint-file' ? a.reason : 'no answer'}`);
      return;
    }
    download(a.name, a.text, 'application/json');
    setSaid(`Saved ${a.name} (${kib(a.text.length)}).`);
  };
  const open = async (f: File) => {
    const text = await f.text();
    const a = await store.ask({ kind: 'checkpoint-open', text }).answer;
    if (a?.kind === 'checkpoint-opened' && a.ok) setSaid(`Opened ${f.name}: it is listed below, ready to restore.`);
    else setSaid(`The file was refused: ${a?.kind === 'checkpoint-opened' ? a.reason : 'no answer'}`);
  };

  return (
    <section className="panel checkpoints" aria-label="Checkpoints">
      <h2>Checkpoints</h2>
      {native && <p>Bare metal has no hypervisor to save or restore the machine: choose a virtualization technique.</p>}
      <div className="ckpt-tools">
        <button
          type="button"
          className="action"
          disabled={!enabled}
          aria-keyshortcuts={`${action.keys} ${altShortcuts(action)}`}
          title={`${action.description} (${action.keyHint} or ${altHint(action)})`}
          onClick={() => action.perform(commands)}
        >
          {action.label}
        </button>
        <span className="ckpt-key">
          key <kbd>{action.keyHint}</kbd> or <kbd>{altHint(action)}</kbd>
        </span>
        <label className="action">
          Open a checkpoint file
          <input
            ref={file}
            type="file"
            accept=".json,application/json"
            className="sr-only"
            disabled={idle || native}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void open(f);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      {(said || notice) && (
        <p aria-live="polite" className="ckpt-said">
          {notice ? `Refused: ${notice}` : said}
        </p>
      )}
      {rows.length === 0 ? (
        <p>No checkpoints yet. A checkpoint saves one VM's whole state: its vCPU, memory, devices and the technique's own state.</p>
      ) : (
        <table className="ckpt-table">
          <thead>
            <tr>
              <th scope="col">checkpoint</th>
              <th scope="col">moment, VM</th>
              <th scope="col">saved</th>
              <th scope="col">actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.index}>
                <th scope="row">{r.name}</th>
                <td>
                  {r.moment}, {r.vm}
                </td>
                <td>
                  {r.size}
                  {r.note && <div className="ckpt-note">{r.note}</div>}
                </td>
                <td>
                  <div className="ckpt-actions">
                    <button
                      type="button"
                      className="action"
                      disabled={!r.canRestore}
                      aria-label={`Restore ${r.name}`}
                      onClick={() => commands.restoreCheckpoint(r.index)}
                    >
                      Restore
                    </button>
                    <button
                      type="button"
                      className="action"
                      disabled={!r.canDownload}
                      aria-label={`Download ${r.name}`}
                      onClick={() => void save(r.index)}
                    >
                      Download
                    </button>
                    <button
                      type="button"
                      className="action"
                      disabled={!r.canClone}
                      aria-label={`Clone ${r.name}`}
                      onClick={() => commands.cloneCheckpoint(r.index)}
                    >
                      Clone
                    </button>
                    <button
                      type="button"
                      className="action"
                      disabled={!r.canDelete}
                      aria-label={`Delete ${r.name}`}
                      onClick={() => commands.deleteCheckpoint(r.index)}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
