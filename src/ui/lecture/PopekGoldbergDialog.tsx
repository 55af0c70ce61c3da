// The Popek–Goldberg view: the ISA table classified for an instruction-set variant (privileged, control-
// and behaviour-sensitive, user-sensitive), the verdicts of theorems 1 and 3, and the instructions that
// break them, each with the library scenario that shows the problem.
import { useState } from 'react';
import { analyze } from '../../isa/analysis';
import type { Variant } from '../../isa/table';
import { libraryEntry, libraryScenario } from '../../scenario/library';
import { Dialog } from '../shared/Dialog';
import { useApp, useWork } from '../state/context';
import { POPEK_GOLDBERG_SCENARIO as GENERAL, SHOWN_BY } from './shown-by';

const yes = (v: boolean) => (v ? 'yes' : 'no');

/** 0 for an instruction that breaks a theorem, 1 for another sensitive one, 2 for the rest. */
function rank(i: { mnemonic: string; sensitive: readonly string[] }, t1: ReadonlySet<string>, t3: ReadonlySet<string>): number {
  if (t1.has(i.mnemonic) || t3.has(i.mnemonic)) return 0;
  return i.sensitive.length > 0 ? 1 : 2;
}

export function PopekGoldbergDialog({ onClose }: { onClose: () => void }) {
  const work = useWork();
  const isa = useApp((s) => s.isa);
  const [variant, setVariant] = useState<Variant>(isa);
  const a = analyze(variant);
  const t1 = new Set(a.theorem1.violators);
  const t3 = new Set(a.theorem3.violators);
  const open = (id: string) => {
    const sc = libraryScenario(id);
    if (!sc) return;
    // The scenario opens on the variant being looked at, so that what the table says is what runs.
    work.open({ ...sc, isa: variant }, id);
    onClose();
  };
  const ScenarioLink = ({ id }: { id: string }) => (
    <button type="button" className="link" onClick={() => open(id)}>
      {libraryEntry(id)?.title ?? id}
    </button>
  );
  /** The scenario that shows this instruction's problem, or words saying that none does yet. */
  const ShownBy = ({ mnemonic }: { mnemonic: string }) => {
    const id = SHOWN_BY[mnemonic];
    return id && libraryEntry(id) ? <ScenarioLink id={id} /> : <span>no library scenario shows it yet</span>;
  };
  const verdict = (n: 1 | 3, holds: boolean, violators: readonly string[], what: string) => (
    <section className={`theorem ${holds ? 'holds' : 'fails'}`} aria-label={`Theorem ${n}`}>
      <h3>
        Theorem {n}: {holds ? 'holds' : 'fails'} on {variant}
      </h3>
      <p>{what}</p>
      {holds ? (
        <p>Every such instruction is privileged on {variant}: it traps, and the hypervisor emulates it.</p>
      ) : (
        <ul className="violators">
          {violators.map((m) => (
            <li key={m}>
              <code>{m}</code> is sensitive{n === 3 ? ' in user mode' : ''} but not privileged: it runs without trapping. See{' '}
              <ShownBy mnemonic={m} />.
            </li>
          ))}
        </ul>
      )}
    </section>
  );
  return (
    <Dialog title="Popek–Goldberg analysis" onClose={onClose} wide className="pg-dialog">
      <fieldset className="variant-choice">
        <legend>Instruction set</legend>
        {(['classic', 'strict'] as const).map((v) => (
          <label key={v} className="check">
            <input type="radio" name="pg-variant" value={v} checked={variant === v} onChange={() => setVariant(v)} />
            {v} {v === 'classic' ? '(the 386: PUSHF, POPF, SMSW, SIDT and CPUID run at CPL > 0)' : '(System/370: they are privileged)'}
          </label>
        ))}
      </fieldset>
      <div className="pg-layout">
        <div className="pg-verdicts">
          {verdict(
            1,
            a.theorem1.holds,
            a.theorem1.violators,
            'A trap-and-emulate VMM can be built if every sensitive instruction is privileged.',
          )}
          {verdict(
            3,
            a.theorem3.holds,
            a.theorem3.violators,
            'A hybrid VMM (guest kernel interpreted, user code run directly) can be built if every user-sensitive instruction is privileged.',
          )}
          <p>
            The whole story, run by run: <ScenarioLink id={GENERAL} />.
          </p>
        </div>
        <div className="pg-table-box">
          <table className="pg-table">
            <caption>Every VX instruction, classified on {variant}</caption>
            <thead>
              <tr>
                <th scope="col">instruction</th>
                <th scope="col">privileged</th>
                <th scope="col">control-sensitive</th>
                <th scope="col">behaviour-sensitive</th>
                <th scope="col">user-sensitive</th>
                <th scope="col">breaks</th>
              </tr>
            </thead>
            <tbody>
              {/* The instructions that break a theorem first, then the other sensitive ones, then the rest. */}
              {[...a.instructions]
                .sort((x, y) => rank(x, t1, t3) - rank(y, t1, t3) || x.mnemonic.localeCompare(y.mnemonic))
                .map((i) => {
                  const breaks = [t1.has(i.mnemonic) ? 'theorem 1' : '', t3.has(i.mnemonic) ? 'theorem 3' : ''].filter(Boolean);
                  const sensitive = i.sensitive.length > 0;
                  return (
                    <tr key={i.mnemonic} className={breaks.length ? 'violator' : sensitive ? 'sensitive' : undefined}>
                      <th scope="row">
                        <code>{i.mnemonic}</code>
                      </th>
                      <td>{yes(i.privileged)}</td>
                      <td>{yes(i.sensitive.includes('control'))}</td>
                      <td>{yes(i.sensitive.includes('behavior'))}</td>
                      <td>{yes(i.userSensitive)}</td>
                      <td>
                        {breaks.length ? (
                          <>
                            ⚠ {breaks.join(', ')} · <ShownBy mnemonic={i.mnemonic} />
                          </>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  );
                })}
            </tbody>
          </table>
        </div>
      </div>
    </Dialog>
  );
}
