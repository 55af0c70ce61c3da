import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { printableField } from './escape';

/** Wrong command-line usage: exit status 2. */
export class UsageError extends Error {}
/** Wrong input (file, scenario, program): exit status 1. */
export class InputError extends Error {}

/** A program (.s) file: one VM's source, as long as a scenario's `vms[i].source` may be. */
export const MAX_PROGRAM_BYTES = 256 * 1024;
/** A scenario (.vlab.json) file: as much JSON as a share link may carry. */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

export const kib = (bytes: number) =>
  bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${(bytes / 1024).toLocaleString('en-US')} KiB`;
const count = (n: number) => n.toLocaleString('en-US');

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'is a directory';
  if (s.isCharacterDevice()) return 'is a device, not a regular file';
  if (s.isBlockDevice()) return 'is a block device, not a regular file';
  if (s.isFIFO()) return 'is a pipe, not a regular file';
  if (s.isSocket()) return 'is a socket, not a regular file';
  return 'is not a regular file';
}

/**
 * Reads an input file as UTF-8: a regular file (never a device, pipe or directory, which could block or
 * never end) of at most `limit` bytes. Reads at most limit + 1 bytes whatever the file claims to be
 * (a file that grows, or a /proc file of size 0), so memory stays bounded.
 */
export function readText(
  path: string,
  limit = MAX_SCENARIO_BYTES,
  what: 'a program file' | 'a scenario file' = 'a scenario file',
): { text: string; bytes: number } {
  const shown = `'${printableField(path)}'`;
  const fail = (why: string): never => {
    throw new InputError(`cannot read ${shown}: ${why}`);
  };
  const why = (e: unknown): string => {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOTDIR'
            ? 'a part of the path is not a directory'
            : code === 'ENAMETOOLONG'
              ? 'the path is too long'
              : code === 'ELOOP'
                ? 'too many symbolic links'
                : String(code ?? e);
  };
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return fail(why(e));
  }
  if (!st.isFile()) fail(`${kindOf(st)} (give a .s program or a .vlab.json scenario file)`);
  if (st.size > limit) return fail(tooBig(st.size, limit, what));
  let fd: number;
  try {
    // Non-blocking, so that a file swapped for a pipe after the check above cannot hang the open.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return fail(why(e));
  }
  try {
    if (!fstatSync(fd).isFile()) fail(`${kindOf(fstatSync(fd))} (give a .s program or a .vlab.json scenario file)`);
    const buf = Buffer.alloc(limit + 1);
    let n = 0;
    for (;;) {
      let r: number;
      try {
        r = readSync(fd, buf, n, buf.length - n, null);
      } catch (e) {
        return fail(why(e));
      }
      if (r === 0) break;
      n += r;
      if (n > limit) return fail(tooBig(undefined, limit, what));
    }
    return { text: buf.toString('utf8', 0, n), bytes: n };
  } finally {
    closeSync(fd);
  }
}

/** Why a file of `size` bytes (undefined: more than the limit) is refused, and what to do. */
export function tooBig(size: number | undefined, limit: number, what: 'a program file' | 'a scenario file'): string {
  const is = size === undefined ? `it is over ${count(limit)} bytes` : `it is ${count(size)} bytes`;
  const why = what === 'a program file' ? "the most one VM's source may be" : 'as much as a share link may carry';
  return `${is}, and ${what} may be at most ${kib(limit)} (${count(limit)} bytes, ${why}); shorten it`;
}
