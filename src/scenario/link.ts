// Share links (interfaces.md): `<app address>#s=<version>.<payload>[&at=<step>]`, the payload being the
// scenario JSON compressed with raw DEFLATE and written in base64url. Links are untrusted: decoding is
// bounded (64 KiB of link, 1 MiB of JSON), never throws, and nothing in a link is ever evaluated.
// Each link version has a migration to the next, so old links keep opening.
import { deflateSync, Inflate } from 'fflate';
import { PAGING_SETTINGS, PRESET_IDS, TECHNIQUE_IDS } from '../config';
import { type Scenario, scenarioToJson, validateScenario } from './scenario';

export const LINK_VERSION = 1;
export const MAX_LINK_CHARS = 64 * 1024;
export const MAX_JSON_BYTES = 1024 * 1024;

/** Migrations of the decoded JSON, from each old link version to the next one. */
export const LINK_MIGRATIONS: Readonly<Record<number, (data: unknown) => unknown>> = {
  // Version 1 is the first: the next version adds `1: (v1) => v2` here, and never removes it.
};

export type DecodedLink =
  | { readonly ok: true; readonly scenario: Scenario; readonly at?: number; readonly version: number }
  | { readonly ok: false; readonly error: string };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

export function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += B64[(n >>> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Decodes base64url (no padding); undefined for any character outside the alphabet. */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/** The fragment (without `#`) that carries a scenario, and optionally a moment of its run. */
export function encodeFragment(scenario: Scenario, at?: number): string {
  const json = JSON.stringify(scenarioToJson(scenario));
  const payload = base64url(deflateSync(new TextEncoder().encode(json), { level: 9 }));
  return `s=${LINK_VERSION}.${payload}${at !== undefined && at > 0 ? `&at=${Math.floor(at)}` : ''}`;
}

export function shareLink(base: string, scenario: Scenario, at?: number): string {
  return `${base.replace(/#.*$/, '')}#${encodeFragment(scenario, at)}`;
}

/** Inflates at most MAX_JSON_BYTES, feeding the input in small pieces so a bomb is caught early. */
function boundedInflate(data: Uint8Array): { bytes: Uint8Array } | { error: string } {
  const parts: Uint8Array[] = [];
  let total = 0;
  let tooBig = false;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > MAX_JSON_BYTES) tooBig = true;
    else parts.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let i = 0; i < data.length && !tooBig; i += 512) {
      inflater.push(data.subarray(i, Math.min(i + 512, data.length)), i + 512 >= data.length);
    }
  } catch {
    return { error: 'the link is corrupt: its data does not decompress' };
  }
  if (tooBig) return { error: `the link inflates past ${MAX_JSON_BYTES / 1024} KiB of scenario: refused` };
  if (!ended) return { error: 'the link is truncated: its data ends too soon' };
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes };
}

/** Decodes a whole link, or just its fragment (`#s=…`, `s=…`). Never throws. */
export function decodeLink(link: string): DecodedLink {
  if (typeof link !== 'string') return { ok: false, error: 'a link is text' };
  if (link.length > MAX_LINK_CHARS) {
    return {
      ok: false,
      error: `the link is ${link.length.toLocaleString('en-US')} characters long; links are capped at ${MAX_LINK_CHARS.toLocaleString('en-US')}`,
    };
  }
  const hash = link.indexOf('#');
  const fragment = hash >= 0 ? link.slice(hash + 1) : link;
  const params = new Map<string, string>();
  for (const part of fragment.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const s = params.get('s');
  if (!s) return { ok: false, error: 'the link carries no scenario (expected #s=<version>.<data>)' };
  const dot = s.indexOf('.');
  // Digits only, as encodeFragment writes them: not 0x1, 1e0, +1, 01 or 1.0.
  const versionText = dot > 0 ? s.slice(0, dot) : '';
  if (!/^[1-9][0-9]{0,8}$/.test(versionText)) {
    return {
      ok: false,
      error: `the link is corrupt: it has no version number${versionText ? ` ('${versionText.slice(0, 20)}' is not one: digits only, like #s=1.…)` : ' (expected #s=<version>.<data>)'}`,
    };
  }
  const version = Number(versionText);
  if (version > LINK_VERSION) {
    return { ok: false, error: `the link was made by a newer VirtLab (link version ${version}; this one reads up to ${LINK_VERSION})` };
  }
  const bytes = fromBase64url(s.slice(dot + 1));
  if (!bytes || bytes.length === 0) return { ok: false, error: 'the link is corrupt: its data is not base64url' };
  const inflated = boundedInflate(bytes);
  if ('error' in inflated) return { ok: false, error: inflated.error };
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inflated.bytes));
  } catch {
    return { ok: false, error: 'the link is corrupt: its scenario is not JSON' };
  }
  for (let v = version; v < LINK_VERSION; v++) {
    const migrate = LINK_MIGRATIONS[v];
    if (!migrate) return { ok: false, error: `no migration from link version ${v}` };
    data = migrate(data);
  }
  const parsed = validateScenario(data);
  if (!parsed.ok) return { ok: false, error: `the link's scenario is invalid: ${parsed.errors.join('; ')}` };
  const atText = params.get('at');
  let at: number | undefined;
  if (atText !== undefined) {
    at = /^[0-9]{1,16}$/.test(atText) ? Number(atText) : Number.NaN;
    if (!Number.isSafeInteger(at) || at < 0)
      return { ok: false, error: `the link's moment at=${atText.slice(0, 20)} is not a step number` };
  }
  return { ok: true, scenario: parsed.scenario, version, ...(at !== undefined ? { at } : {}) };
}

// ---- short links to the library (interfaces.md): `#lib=<id>[&technique=…][&isa=…][&preset=…][&paging=…]
// [&vendor=…][&type=…][&at=<step>]`. A few dozen characters: they fit a QR code of version 5 or less.

/** The settings a short link may carry, each with the values it accepts. */
export const LIB_LINK_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  technique: TECHNIQUE_IDS,
  isa: ['classic', 'strict'],
  preset: PRESET_IDS,
  paging: PAGING_SETTINGS,
  vendor: ['intel', 'amd'],
  type: ['1', '2'],
};

export type LibLinkSettings = Partial<Record<'technique' | 'isa' | 'preset' | 'paging' | 'vendor' | 'type', string>>;

export type DecodedLibLink =
  | {
      readonly ok: true;
      readonly id: string;
      readonly scenario: Scenario;
      readonly settings: LibLinkSettings;
      readonly at?: number;
      /** What was ignored (a bad value, an unknown setting), in words for a notice. */
      readonly ignored: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

/** Whether a fragment (without `#`) is a short library link. */
export function isLibFragment(fragment: string): boolean {
  return /(^|&)lib=/.test(fragment.startsWith('#') ? fragment.slice(1) : fragment);
}

/** The fragment of a short link (without `#`); settings in the order of interfaces.md. */
export function encodeLibFragment(id: string, settings: LibLinkSettings = {}, at?: number): string {
  let out = `lib=${encodeURIComponent(id)}`;
  for (const key of Object.keys(LIB_LINK_SETTINGS) as (keyof LibLinkSettings)[]) {
    const v = settings[key];
    if (v !== undefined) out += `&${key}=${encodeURIComponent(v)}`;
  }
  if (at !== undefined && at > 0) out += `&at=${Math.floor(at)}`;
  return out;
}

export function libLink(base: string, id: string, settings: LibLinkSettings = {}, at?: number): string {
  return `${base.replace(/#.*$/, '')}#${encodeLibFragment(id, settings, at)}`;
}

/** Applies a short link's settings to a library scenario's JSON (before validation). */
function withSettings(json: Record<string, unknown>, settings: LibLinkSettings): Record<string, unknown> {
  const out: Record<string, unknown> = { ...json };
  const hypervisor: Record<string, unknown> = { ...((json.hypervisor as Record<string, unknown> | undefined) ?? {}) };
  if (settings.technique) out.technique = settings.technique;
  if (settings.isa) out.isa = settings.isa;
  if (settings.preset) out.preset = settings.preset;
  if (settings.paging) hypervisor.paging = settings.paging;
  if (settings.vendor) hypervisor.vendor = settings.vendor;
  if (settings.type) hypervisor.type = Number(settings.type);
  out.hypervisor = hypervisor;
  return out;
}

/**
 * Decodes a short link against a library (`find` gives an id's scenario JSON). An unknown id is refused;
 * a bad value or an unknown setting is ignored and named in `ignored`. Never throws.
 */
export function decodeLibLink(link: string, find: (id: string) => Record<string, unknown> | undefined): DecodedLibLink {
  if (typeof link !== 'string' || link.length > 2048) return { ok: false, error: 'the library link is too long to be one' };
  const hash = link.indexOf('#');
  const fragment = hash >= 0 ? link.slice(hash + 1) : link;
  const params = new Map<string, string>();
  for (const part of fragment.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    let value = part.slice(eq + 1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // kept as written: it is then no known value and is ignored below
    }
    params.set(part.slice(0, eq), value);
  }
  const id = params.get('lib') ?? '';
  const json = /^[a-z0-9-]{1,64}$/.test(id) ? find(id) : undefined;
  if (!json) return { ok: false, error: `the library has no scenario called “${id.slice(0, 40)}”` };
  const settings: { -readonly [K in keyof LibLinkSettings]: string } = {};
  const ignored: string[] = [];
  let at: number | undefined;
  for (const [key, value] of params) {
    if (key === 'lib') continue;
    if (key === 'at') {
      const n = Number(value);
      if (value !== '' && Number.isSafeInteger(n) && n >= 0) at = n;
      else ignored.push(`at=${value.slice(0, 20)} (not a step number)`);
      continue;
    }
    const allowed = LIB_LINK_SETTINGS[key];
    if (!allowed) ignored.push(`${key.slice(0, 20)} (not a setting a library link carries)`);
    else if (!allowed.includes(value)) ignored.push(`${key}=${value.slice(0, 20)} (expected ${allowed.join(', ')})`);
    else settings[key as keyof LibLinkSettings] = value;
  }
  let parsed = validateScenario(withSettings(json, settings));
  if (!parsed.ok && Object.keys(settings).length > 0) {
    ignored.push(`the settings (${parsed.errors.join('; ')})`);
    for (const k of Object.keys(settings)) delete settings[k as keyof LibLinkSettings];
    parsed = validateScenario(json);
  }
  if (!parsed.ok) return { ok: false, error: `the library scenario “${id}” is invalid: ${parsed.errors.join('; ')}` };
  return { ok: true, id, scenario: parsed.scenario, settings, ignored, ...(at !== undefined ? { at } : {}) };
}
