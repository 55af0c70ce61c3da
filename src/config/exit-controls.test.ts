import { describe, expect, it } from 'vitest';
import { effectiveExitControls, forcedExitControls } from './exit-controls';

describe('exit controls', () => {
  it('defaults to HLT and I/O exiting and #UD (KVM always intercepts it), nothing else, under nested paging', () => {
    expect(effectiveExitControls('nested', {})).toEqual({ hlt: true, io: true, cr3: false, invlpg: false, exceptions: [6] });
  });

  it('forces CR3-load exiting, INVLPG exiting and #PF on under shadow paging', () => {
    expect(effectiveExitControls('shadow', { cr3: false, invlpg: false, exceptions: [] })).toEqual({
      hlt: true,
      io: true,
      cr3: true,
      invlpg: true,
      exceptions: [6, 14],
    });
    expect(forcedExitControls('shadow')).toEqual({ cr3: true, invlpg: true, exceptions: [6, 14] });
    expect(forcedExitControls('nested')).toEqual({ cr3: false, invlpg: false, exceptions: [6] });
  });

  it('keeps what was asked, the exception bitmap sorted and without repeats', () => {
    const asked = { hlt: false, io: false, cr3: true, exceptions: [14, 6, 13, 6] };
    expect(effectiveExitControls('nested', asked)).toEqual({ hlt: false, io: false, cr3: true, invlpg: false, exceptions: [6, 13, 14] });
    expect(effectiveExitControls('shadow', { exceptions: [13] }).exceptions).toEqual([6, 13, 14]);
  });
});
