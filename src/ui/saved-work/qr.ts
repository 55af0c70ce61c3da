// QR codes (ISO/IEC 18004) for share links, from the `qrcode` library (node-qrcode): it picks the
// segments (numeric, alphanumeric, byte) and the mask. Here: the smallest version that holds the text at
// the lowest error correction asked for, then the correction raised while that version still holds it
// (a sturdier code at no cost in size), and the matrix as rows of booleans to draw as SVG. Deterministic:
// the same text always gives the same matrix. Loaded with the Share dialog, not with the page.
import { create } from 'qrcode';
import { QR_MAX_BYTES } from './qr-limits';

export { QR_MAX_BYTES } from './qr-limits';

export type Ecc = 'L' | 'M' | 'Q' | 'H';
const ECC_ORDER: readonly Ecc[] = ['L', 'M', 'Q', 'H'];

export interface QrCode {
  readonly version: number;
  readonly ecc: Ecc;
  readonly mask: number;
  readonly size: number;
  /** modules[y][x]: true is dark. */
  readonly modules: readonly (readonly boolean[])[];
}

/** The library's code, or null when the text does not fit (it throws then). */
function attempt(text: string, ecc: Ecc, version?: number): ReturnType<typeof create> | null {
  try {
    return create(text, { errorCorrectionLevel: ecc, ...(version ? { version } : {}) });
  } catch {
    return null;
  }
}

/** The QR code of `text` (UTF-8); null when it is longer than any QR code holds in byte mode. */
export function encodeQr(text: string, minEcc: Ecc = 'L'): QrCode | null {
  if (new TextEncoder().encode(text).length > QR_MAX_BYTES) return null;
  let code = attempt(text, minEcc);
  if (!code) return null;
  let ecc = minEcc;
  for (const better of ECC_ORDER.slice(ECC_ORDER.indexOf(minEcc) + 1)) {
    const stronger = attempt(text, better, code.version);
    if (!stronger) break;
    code = stronger;
    ecc = better;
  }
  const { size, data } = code.modules;
  const modules = Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => data[y * size + x] === 1));
  return { version: code.version, ecc, mask: code.maskPattern ?? 0, size, modules };
}

/** The dark modules as one SVG path, offset by the margin. */
export function qrPath(qr: QrCode, border = 4): string {
  let d = '';
  for (let y = 0; y < qr.size; y++) {
    for (let x = 0; x < qr.size; x++) if (qr.modules[y][x]) d += `M${x + border},${y + border}h1v1h-1z`;
  }
  return d;
}

/** The code as an SVG document: one path of dark modules on white, with the standard's 4-module margin. */
export function qrSvg(qr: QrCode, border = 4): string {
  const n = qr.size + border * 2;
  const d = qrPath(qr, border);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges"><rect width="${n}" height="${n}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}
