// Xen's console hypercall (xen/drivers/char/console.c).
import { CONSOLEIO_write, XEN_ERRNO } from './abi';
import { readGuestByte } from './memory';
import { fail, hex, ok, type Served, type Work, type XenCall } from './served';

const { EFAULT, ENOSYS } = XEN_ERRNO;

/**
 * do_console_io (xen/drivers/char/console.c): CONSOLEIO_write R2 bytes from the buffer at R3.
 * guest_console_write preempts itself on long writes and continues with the rest.
 */
export function consoleIo(c: XenCall, w: Work, cmd: number, count: number, buf: number): Served {
  const m = c.m;
  if (cmd !== CONSOLEIO_write) return fail(c, -ENOSYS, `CONSOLEIO command ${cmd}`);
  const n = Math.min(count >>> 0, Math.max(w.budget, 0));
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = readGuestByte(m, (buf + i) | 0);
    if (b === undefined) return fail(c, -EFAULT, `buffer byte ${hex(buf + i)} is not mapped`);
    bytes.push(b);
  }
  for (const b of bytes) m.portOut(0xe9, b);
  w.budget -= n;
  if (n < count >>> 0) w.continuation = [cmd, (count >>> 0) - n, (buf + n) | 0];
  return ok(c, `console ← ${JSON.stringify(String.fromCharCode(...bytes))}${w.continuation ? ' (preempted: the rest follows)' : ''}`);
}
