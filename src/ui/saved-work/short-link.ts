// Short links to the library (`#lib=<id>&…`, interfaces.md): the page offers one whenever the work is a
// library scenario with at most the settings a short link carries changed. A few dozen characters: the
// address bar, a QR code of version 5 or less, a slide.
import { LIBRARY, libraryScenario } from '../../scenario/library';
import { decodeLibLink, encodeLibFragment, type LibLinkSettings } from '../../scenario/link';
import type { Scenario } from '../../scenario/scenario';
import { sameScenario } from '../state/scenario-state';

const findJson = (id: string) => LIBRARY.find((e) => e.id === id)?.scenario as Record<string, unknown> | undefined;

export function decodeShortLink(fragment: string) {
  return decodeLibLink(fragment, findJson);
}

/** The short fragment (without `#`) that opens exactly this work, or null when no short link can say it. */
export function shortFragmentFor(scenario: Scenario, libraryId: string | null | undefined, at?: number): string | null {
  if (!libraryId) return null;
  const shipped = libraryScenario(libraryId);
  if (!shipped) return null;
  const settings: { -readonly [K in keyof LibLinkSettings]: string } = {};
  if (scenario.technique !== shipped.technique) settings.technique = scenario.technique;
  if (scenario.isa !== shipped.isa) settings.isa = scenario.isa;
  if (scenario.preset !== shipped.preset) settings.preset = scenario.preset;
  if (scenario.hypervisor.paging !== shipped.hypervisor.paging) settings.paging = scenario.hypervisor.paging;
  if ((scenario.hypervisor.vendor ?? 'intel') !== (shipped.hypervisor.vendor ?? 'intel'))
    settings.vendor = scenario.hypervisor.vendor ?? 'intel';
  if (scenario.hypervisor.type !== shipped.hypervisor.type) settings.type = String(scenario.hypervisor.type);
  const fragment = encodeLibFragment(libraryId, settings);
  const back = decodeShortLink(fragment);
  if (!back.ok || !sameScenario(back.scenario, scenario)) return null;
  return encodeLibFragment(libraryId, settings, at);
}
