// The scenario library: every lecture scenario with its title and topics; the one chosen shows its
// notes (Markdown, rendered safely) and what to look for, and opens over the current work (which is kept
// one step back).
import { useState } from 'react';
import { LIBRARY, libraryScenario } from '../../scenario/library';
import { Dialog } from '../shared/Dialog';
import { Markdown, MarkdownInline } from '../shared/markdown';
import { METHODS, machineOf, NOT_A_VM, productsAt, type RealSystem, SYSTEMS } from '../shared/real-systems';
import { SystemCard } from '../shared/SystemCard';
import { useApp, useAppStore, useWork } from '../state/context';

const PRODUCTS = 'real-products';

/** The real products by virtualization method and hypervisor type; a product opens its card. */
function ProductTable({ onUse }: { onUse: (s: RealSystem) => void }) {
  const [open, setOpen] = useState<string | null>(null);
  const system = SYSTEMS.find((s) => s.id === open);
  const button = (s: RealSystem) => (
    <button key={s.id} type="button" className="product-chip" aria-pressed={s.id === open} onClick={() => setOpen(s.id)}>
      {s.name}
    </button>
  );
  const m = system && machineOf(system);
  return (
    <article className="library-preview" aria-label="Real products">
      <h3>Real products: virtualization method × hypervisor type</h3>
      <p>
        Type 1 runs on the bare machine; type 2 is hosted by an operating system. Each product opens what it did, the settings VirtLab
        stands in for it with, and what VirtLab simplifies.
      </p>
      <table className="product-table" aria-label="Virtualization method and hypervisor type">
        <thead>
          <tr>
            <th scope="col">method</th>
            <th scope="col">type 1</th>
            <th scope="col">type 2</th>
          </tr>
        </thead>
        <tbody>
          {METHODS.map(({ technique, method }) => (
            <tr key={technique}>
              <th scope="row">
                {method} <span className="library-topics">({technique})</span>
              </th>
              {([1, 2] as const).map((type) => {
                const list = productsAt(technique, type);
                return (
                  <td key={type}>{list.length ? list.map(button) : <span className="library-topics">none in VirtLab's list</span>}</td>
                );
              })}
            </tr>
          ))}
          <tr>
            <th scope="row">Not a VM (process virtualization)</th>
            <td colSpan={2}>{NOT_A_VM.map(button)}</td>
          </tr>
        </tbody>
      </table>
      {system && (
        <section aria-label={system.name}>
          <SystemCard system={system} />
          {m && (
            <p className="library-open">
              <button type="button" className="action action-run" onClick={() => onUse(system)}>
                Use {system.name}’s settings
              </button>
            </p>
          )}
        </section>
      )}
    </article>
  );
}

export function LibraryDialog({ onClose }: { onClose: () => void }) {
  const work = useWork();
  const { commands } = useAppStore();
  const current = useApp((s) => s.libraryId);
  const [chosen, setChosen] = useState(current ?? LIBRARY[0].id);
  const entry = LIBRARY.find((e) => e.id === chosen) ?? LIBRARY[0];
  const scenario = libraryScenario(entry.id);
  const open = (id: string) => {
    const sc = libraryScenario(id);
    if (!sc) return;
    work.open(sc, id);
    onClose();
  };
  return (
    <Dialog title="Scenario library" onClose={onClose} wide className="library-dialog">
      <div className="library-layout">
        <ul className="library-list" aria-label="Scenarios">
          <li>
            <button
              type="button"
              className={`library-item${chosen === PRODUCTS ? ' chosen' : ''}`}
              aria-pressed={chosen === PRODUCTS}
              onClick={() => setChosen(PRODUCTS)}
            >
              <span className="library-title">Real products</span>
              <span className="library-topics">method × hypervisor type · VMware, Xen, KVM, QEMU, Wine…</span>
            </button>
          </li>
          {LIBRARY.map((e) => (
            <li key={e.id}>
              <button
                type="button"
                className={`library-item${e.id === chosen ? ' chosen' : ''}`}
                aria-pressed={e.id === chosen}
                onClick={() => setChosen(e.id)}
                onDoubleClick={() => open(e.id)}
              >
                <span className="library-title">{e.title}</span>
                <span className="library-topics">{e.topics.join(' · ')}</span>
              </button>
            </li>
          ))}
        </ul>
        {chosen === PRODUCTS ? (
          <ProductTable
            onUse={(s) => {
              const m = machineOf(s);
              if (m) commands.setMachine(m);
              onClose();
            }}
          />
        ) : (
          <article className="library-preview" aria-label={entry.title}>
            <h3>{entry.title}</h3>
            <p className="library-meta">
              {scenario?.technique} · {scenario?.isa} · preset {scenario?.preset}
              {scenario && scenario.vms.length > 1 ? ` · ${scenario.vms.length} VMs` : ''}
              {scenario?.hypervisor.type === 2 ? ' · type 2' : ''}
            </p>
            <ul className="topics" aria-label="Topics">
              {entry.topics.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
            <Markdown text={entry.notes} />
            <h4>What to look for</h4>
            <ol>
              {entry.lookFor.map((step) => (
                <li key={step}>
                  <MarkdownInline text={step} />
                </li>
              ))}
            </ol>
            <p className="library-open">
              <button type="button" className="action action-run" onClick={() => open(entry.id)}>
                Open “{entry.title}”
              </button>
            </p>
          </article>
        )}
      </div>
    </Dialog>
  );
}
