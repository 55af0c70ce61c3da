import { readFileSync } from 'node:fs';

/** Wrong command-line usage: exit status 2. */
export class UsageError extends Error {}
/** Wrong input (file, scenario, program): exit status 1. */
export class InputError extends Error {}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(code ?? e);
    throw new InputError(`cannot read '${path}': ${why}`);
  }
}
