import { useApp } from '../state/context';

/** Why the engine cannot run the program (other than assembly errors, which the editor shows). */
export function ProblemBanner() {
  const problem = useApp((s) => s.problem);
  if (!problem) return null;
  let text: string;
  switch (problem.kind) {
    case 'refused':
      text = `${problem.technique} cannot run this program: ${problem.reason}`;
      break;
    case 'invalid':
      text = `The scenario is not valid: ${problem.errors.join('; ')}`;
      break;
    case 'error':
      text = problem.message;
      break;
    default: {
      const never: never = problem;
      text = String(never);
    }
  }
  return (
    <p className={`banner banner-${problem.kind}`} role="alert">
      {text}
    </p>
  );
}
