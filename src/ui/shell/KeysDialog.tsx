// The sheet of every key (`?`, or the Keys button): the run controls with their function keys and the
// Ctrl/⌘ keys that work in any browser, the page's own keys, the editor's, the lists', presentation mode's.

import { Dialog } from '../shared/Dialog';
import { ACTIONS, altHint } from '../state/actions';

const PAGE_KEYS: readonly (readonly [string, string])[] = [
  ['1 – 6', 'choose a technique: native, interpret, trap-and-emulate, binary translation, hardware-assisted, paravirtualization'],
  ['P', 'presentation mode (Escape or P leaves it)'],
  ['?', 'this sheet of keys'],
  ['Escape', 'close a dialog or the Exit controls'],
];

const EDITOR_KEYS: readonly (readonly [string, string])[] = [
  ['Enter', 'a new line, always (a completion is never taken by Enter)'],
  ['Tab', 'accept the completion offered'],
  ['F9', 'breakpoint on the line (or click the margin)'],
  ['Ctrl+M', 'Tab moves the focus out of the editor instead'],
  ['Ctrl+Space', 'offer completions'],
];

const LIST_KEYS: readonly (readonly [string, string])[] = [
  ['↑ ↓ PgUp PgDn Home End', 'Events list: move between events'],
  ['Enter', 'Events list: take the run to that event'],
  ['← → Home End', 'Timeline: move the run back and forth'],
];

const PRESENTATION_KEYS: readonly (readonly [string, string])[] = [
  ['Space', 'one instruction'],
  ['→', 'to the next hypervisor event'],
  ['←', 'back to the previous event'],
  ['M', 'the program or the machine'],
];

function Table({ caption, rows }: { caption: string; rows: readonly (readonly [string, string])[] }) {
  return (
    <table className="keys-table">
      <caption>{caption}</caption>
      <tbody>
        {rows.map(([k, what]) => (
          <tr key={`${k}${what}`}>
            <th scope="row">
              <kbd>{k}</kbd>
            </th>
            <td>{what}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function KeysDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keys" onClose={onClose} wide className="keys-dialog">
      <table className="keys-table">
        <caption>Run controls (the second key works on every keyboard and browser, Macs included)</caption>
        <thead>
          <tr>
            <th scope="col">control</th>
            <th scope="col">key</th>
            <th scope="col">or</th>
          </tr>
        </thead>
        <tbody>
          {ACTIONS.map((a) => (
            <tr key={a.id}>
              <th scope="row">{a.label}</th>
              <td>
                <kbd>{a.keys.replace('Control', 'Ctrl')}</kbd>
              </td>
              <td>
                <kbd>{altHint(a)}</kbd>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="keys-columns">
        <Table caption="The page" rows={PAGE_KEYS} />
        <Table caption="The editor" rows={EDITOR_KEYS} />
        <Table caption="Lists and the timeline" rows={LIST_KEYS} />
        <Table caption="Presentation mode" rows={PRESENTATION_KEYS} />
      </div>
    </Dialog>
  );
}
