// The library scenario that shows what goes wrong with each instruction that breaks a Popek–Goldberg
// condition (the Popek–Goldberg view links to it). Each scenario's program runs the instruction and one of
// its steps checks it (shown-by.test.ts); an instruction no scenario shows has no entry, and the view says so.
export const SHOWN_BY: Readonly<Record<string, string>> = {
  POPF: 'popf-problem',
  PUSHF: 'popf-problem',
  CPUID: 'am-i-in-a-vm',
  SIDT: 'am-i-in-a-vm',
  SMSW: 'smsw-kernel',
};

/** The scenario that tells the whole story, theorem by theorem. */
export const POPEK_GOLDBERG_SCENARIO = 'popek-goldberg';
