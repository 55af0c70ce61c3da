import { describe, expect, it } from 'vitest';
import { libraryEntry, libraryScenario } from '../../scenario/library';
import { fieldsOfScenario, scenarioOfFields } from '../state/scenario-state';
import { isStepRun, settingsWords, stepScenario } from './step-runs';

describe("the Guide's steps and the page's run", () => {
  const shipped = libraryScenario('am-i-in-a-vm');
  const entry = libraryEntry('am-i-in-a-vm');
  if (!shipped || !entry) throw new Error('am-i-in-a-vm');
  const page = (patch: Partial<ReturnType<typeof fieldsOfScenario>['settings']>, technique = shipped.technique) => {
    const f = fieldsOfScenario(shipped);
    return scenarioOfFields({ ...f, technique, settings: { ...f.settings, ...patch } });
  };

  it('knows which steps the run as opened shows, and which need other settings', () => {
    const opened = page({});
    expect(entry.steps.map((s) => isStepRun(opened, shipped, s.settings))).toEqual([true, false, false, false, false, false, false]);
    // Hardware-assisted with AMD-V picked in the Vendor setting: step 5's run, not step 4's.
    const amd = page({ vendor: 'amd' }, 'hardware-assisted');
    expect(isStepRun(amd, shipped, entry.steps[4].settings)).toBe(true);
    expect(isStepRun(amd, shipped, entry.steps[3].settings)).toBe(false);
    // An edited program is still the step's run.
    expect(isStepRun({ ...opened, vms: [{ name: 'vm1', source: 'HLT' }] }, shipped, undefined)).toBe(true);
  });

  it('says what a step needs', () => {
    expect(settingsWords(entry.steps[4].settings)).toBe('technique hardware-assisted, vendor AMD-V');
    expect(settingsWords(undefined)).toBe('the scenario’s own settings');
    expect(settingsWords({ exits: { hlt: false } })).toBe('hlt exiting off');
    expect(stepScenario(shipped, { isa: 'strict' }).isa).toBe('strict');
  });
});
