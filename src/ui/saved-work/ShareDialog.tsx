// Share: the scenario (and the moment of the run) as a link, copied to the clipboard, shown with a QR
// code to put on a slide. Everything is computed here, in the page; nothing is sent anywhere.
import { useEffect, useMemo, useState } from 'react';
import { MAX_LINK_CHARS, shareLink } from '../../scenario/link';
import { scenarioToJson } from '../../scenario/scenario';
import { Dialog } from '../shared/Dialog';
import { fmt } from '../shared/format';
import { useAppStore } from '../state/context';
import { scenarioOf } from '../state/store';
import { download, svgToPng } from './download';
import type * as Qr from './qr';
import { QR_MAX_BYTES } from './qr-limits';
import { shortFragmentFor } from './short-link';

/** The address the app is served from, without any fragment or query: what a link starts with. */
export function appBase(): string {
  return `${window.location.origin}${window.location.pathname}`;
}

/** Copies text; false when the browser does not allow it (no permission, an insecure page). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function fileName(title: string): string {
  return (
    (title || 'virtlab')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'virtlab'
  );
}

/** The QR encoder (the `qrcode` library) is loaded when a Share dialog first opens, not with the page. */
let qrModule: Promise<typeof Qr> | null = null;
function loadQr(): Promise<typeof Qr> {
  qrModule ??= import('./qr');
  return qrModule;
}

export function ShareDialog({ onClose, copied: firstCopy }: { onClose: () => void; copied: Promise<boolean> }) {
  const store = useAppStore();
  // The scenario and the moment as they were when Share was pressed.
  const [{ scenario, steps, libraryId }] = useState(() => ({
    scenario: scenarioOf(store.getState()),
    steps: store.getState().status.steps,
    libraryId: store.getState().libraryId,
  }));
  const [big, setBig] = useState(false);
  const [withMoment, setWithMoment] = useState(steps > 0);
  const [withNotes, setWithNotes] = useState(true);
  const [copy, setCopy] = useState<'pending' | 'copied' | 'failed'>('pending');
  const shared = withNotes ? scenario : { ...scenario, notes: '' };
  // A library scenario with at most its settings changed has a short link (`#lib=…`, interfaces.md): a
  // few dozen characters, a QR code of version 5 or less that a phone scans from the back of a hall.
  const short = useMemo(
    () => shortFragmentFor(scenario, libraryId, withMoment ? steps : undefined),
    [scenario, libraryId, withMoment, steps],
  );
  const link = useMemo(
    () => (short ? `${appBase()}#${short}` : shareLink(appBase(), shared, withMoment ? steps : undefined)),
    [short, shared, withMoment, steps],
  );
  const [lib, setLib] = useState<typeof Qr | null>(null);
  useEffect(() => {
    let live = true;
    loadQr().then(
      (m) => live && setLib(m),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  const qr = useMemo(() => (lib && link.length <= QR_MAX_BYTES ? lib.encodeQr(link) : null), [lib, link]);
  const tooLong = link.length > MAX_LINK_CHARS;

  useEffect(() => {
    let live = true;
    firstCopy.then((ok) => {
      if (live) setCopy(ok ? 'copied' : 'failed');
    });
    return () => {
      live = false;
    };
  }, [firstCopy]);

  const again = async (text: string) => setCopy((await copyText(text)) ? 'copied' : 'failed');
  const name = fileName(scenario.title);
  const n = qr ? qr.size + 8 : 0;

  return (
    <Dialog title="Share this scenario" onClose={onClose} className="share-dialog">
      <div className="share-layout">
        <div className="share-link">
          <p role="status" className={`copy-state copy-${copy}`}>
            {tooLong
              ? 'This scenario is too large for a link.'
              : copy === 'copied'
                ? 'The link is copied to the clipboard.'
                : copy === 'failed'
                  ? 'The browser did not let the page copy: select the link below and copy it.'
                  : 'Copying the link…'}
          </p>
          <label className="share-field">
            <span>
              Share link <span className="subtitle">({fmt(link.length)} characters)</span>
            </span>
            <textarea readOnly value={tooLong ? '' : link} rows={4} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <div className="share-options">
            <label className="check">
              <input type="checkbox" checked={withMoment} disabled={steps === 0} onChange={(e) => setWithMoment(e.target.checked)} />
              Open at this moment (instruction {fmt(steps)})
            </label>
            <label className="check">
              <input type="checkbox" checked={withNotes} disabled={!scenario.notes} onChange={(e) => setWithNotes(e.target.checked)} />
              Include the notes (leave them out for a shorter link)
            </label>
          </div>
          {tooLong && (
            <p className="share-warning">
              The link would be {fmt(link.length)} characters; links hold at most {fmt(MAX_LINK_CHARS)}. Save the scenario as a file
              instead.
            </p>
          )}
          <div className="share-actions">
            <button type="button" className="action" disabled={tooLong} onClick={() => again(link)}>
              Copy link
            </button>
            <button
              type="button"
              className="action"
              onClick={() => download(`${name}.vlab.json`, `${JSON.stringify(scenarioToJson(scenario), null, 2)}\n`, 'application/json')}
            >
              Save as .vlab.json
            </button>
          </div>
        </div>
        <figure className="share-qr">
          {!lib && !tooLong && link.length <= QR_MAX_BYTES ? (
            <p className="note">Drawing the QR code…</p>
          ) : qr && lib && !tooLong ? (
            <>
              <svg
                viewBox={`0 0 ${n} ${n}`}
                shapeRendering="crispEdges"
                role="img"
                aria-label={`QR code of the share link (version ${qr.version}, ${qr.size} by ${qr.size} modules)`}
              >
                <rect width={n} height={n} fill="#fff" />
                <path d={lib?.qrPath(qr)} fill="#000" />
              </svg>
              <figcaption>
                Scan to open this scenario
                {short && <span className="share-short"> (a short library link)</span>}
                <span className="share-actions">
                  <button type="button" className="action" onClick={() => setBig(true)}>
                    Full-screen QR code
                  </button>
                  <button type="button" className="action" onClick={() => download(`${name}-qr.svg`, lib.qrSvg(qr), 'image/svg+xml')}>
                    QR as SVG
                  </button>
                  <button
                    type="button"
                    className="action"
                    onClick={async () => download(`${name}-qr.png`, await svgToPng(lib.qrSvg(qr), n * 8, n * 8, 1))}
                  >
                    QR as PNG
                  </button>
                </span>
              </figcaption>
            </>
          ) : (
            <p className="share-warning">
              {tooLong
                ? 'No QR code: the scenario is too large for a link.'
                : `No QR code: the link is ${fmt(link.length)} characters and a QR code holds at most ${fmt(QR_MAX_BYTES)}.${withNotes && scenario.notes ? ' Leaving the notes out shortens it.' : ''}`}
            </p>
          )}
        </figure>
      </div>
      {big && qr && (
        <Dialog title="Scan to open this scenario" onClose={() => setBig(false)} className="qr-full">
          <svg
            viewBox={`0 0 ${n} ${n}`}
            shapeRendering="crispEdges"
            role="img"
            aria-label={`QR code of the share link, full screen (version ${qr.version}, ${qr.size} by ${qr.size} modules)`}
          >
            <rect width={n} height={n} fill="#fff" />
            <path d={lib?.qrPath(qr)} fill="#000" />
          </svg>
          <p className="qr-full-link">{link}</p>
        </Dialog>
      )}
    </Dialog>
  );
}
