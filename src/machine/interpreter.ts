// Executing VX: `step` (step.ts) is the reference interpreter; `run` (run.ts) is the fast loop over
// pre-decoded instructions that hands everything unusual to `step`. A property test checks they agree.
export { describeInstruction } from './decode';
export { run } from './run';
export { step } from './step';
