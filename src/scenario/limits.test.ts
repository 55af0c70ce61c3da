// Scenario files and share links built to hurt: plain refusals, never a stack overflow.
import { deflateSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { base64url, decodeLink, shareLink } from './link';
import { MAX_UNKNOWN_DEPTH, nestsDeeperThan, parseScenarioText, scenarioFromSource, validateScenario } from './scenario';

const payload = (json: string) => base64url(deflateSync(new TextEncoder().encode(json)));

describe('scenario limits', () => {
  it('keeps unknown fields up to the depth limit and refuses deeper ones, naming the field', () => {
    const nest = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const ok = parseScenarioText(`{"vms":[{"source":"HLT"}],"future":${nest(MAX_UNKNOWN_DEPTH)}}`);
    expect(ok.ok).toBe(true);
    for (const deep of [nest(MAX_UNKNOWN_DEPTH + 1), nest(100_000), `${'['.repeat(100_000)}${']'.repeat(100_000)}`]) {
      const r = parseScenarioText(`{"vms":[{"source":"HLT"}],"future":${deep}}`);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.errors).toEqual([
        `future: an unknown field nested more than ${MAX_UNKNOWN_DEPTH} levels deep (unknown fields are kept as they are, so they must stay shallower); remove it or flatten it`,
      ]);
    }
    expect(nestsDeeperThan([[1], { a: 2 }], 2)).toBe(false);
    expect(nestsDeeperThan([[1], { a: [2] }], 2)).toBe(true);
    expect(nestsDeeperThan('text', 0)).toBe(false);
  });

  it('describes a wrong value briefly, whatever its depth', () => {
    const r = parseScenarioText(`{"vms":[{"source":"HLT"}],"version":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(!r.ok && r.errors).toEqual(['version: this VirtLab reads scenario version 1, not a list']);
    const k = validateScenario({ vms: [{ source: 'HLT' }], costs: { [`x\n${'y'.repeat(100)}`]: 1 } });
    expect(!k.ok && k.errors[0]).toMatch(/^costs\.x\\u000ay{38}…: unknown cost/);
  });

  it('reads link versions and moments as digits only', () => {
    const good = shareLink('http://h/', scenarioFromSource('HLT'), 5);
    expect(decodeLink(good).ok).toBe(true);
    const data = good.slice(good.indexOf('.') + 1).replace(/&.*$/, '');
    for (const v of ['0x1', '1e0', '01', '+1', ' 1', '1 ', '']) {
      const d = decodeLink(`#s=${v}.${data}`);
      expect(d.ok, `version '${v}'`).toBe(false);
      expect(!d.ok && d.error).toMatch(/no version number/);
    }
    for (const at of ['0x10', '1e3', '-1', '1.5', '']) {
      const d = decodeLink(`#s=1.${data}&at=${at}`);
      expect(d.ok, `at '${at}'`).toBe(false);
      expect(!d.ok && d.error).toMatch(/is not a step number/);
    }
    expect(decodeLink(`#s=1.${payload('{"vms":[{"source":"HLT"}]}')}&at=0`).ok).toBe(true);
  });
});
