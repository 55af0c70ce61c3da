// Xen's time and scheduling hypercalls (xen/common/schedule.c): set_timer_op and sched_op.
import { SCHED_SHUTDOWN, SCHEDOP, SHUTDOWN, VCPU_INFO, VIRQ_TIMER, XEN_ERRNO } from './abi';
import { portOfVirq, setPending, setUpcallMask } from './events';
import { readGuest } from './memory';
import { fail, ok, type Served, type Work, type XenCall } from './served';

const { EFAULT, ENOSYS } = XEN_ERRNO;

/**
 * do_set_timer_op (xen/arch/x86/x86_32 and common/domain.c): a one-shot timeout at an absolute
 * time (R1 low, R2 high); 0 cancels; a time already past sends VIRQ_TIMER at once. VX: the guest's
 * clock is its tick count (IN 0x41), so the timeout is a tick.
 */
export function setTimerOp(c: XenCall, lo: number, hi: number): Served {
  const m = c.m;
  const x = c.xen;
  if (lo === 0 && hi === 0) {
    x.timer = -1;
    m.timerPeriod = 0;
    m.timerNext = -1;
    return ok(c, 'timeout cancelled');
  }
  const deadline = hi !== 0 ? Number.MAX_SAFE_INTEGER : lo >>> 0;
  if (deadline <= m.ticks) {
    x.timer = -1;
    const port = portOfVirq(x, VIRQ_TIMER);
    if (port) setPending(m, x, port);
    return ok(c, `timeout ${deadline} already past: VIRQ_TIMER sent now`);
  }
  x.timer = deadline;
  m.timerPeriod = 0;
  m.timerNext = deadline;
  return ok(c, `one-shot timeout at tick ${deadline}`);
}

/**
 * do_sched_op (xen/common/sched/core.c): R1 the command, R2 its argument. SCHEDOP_block enables
 * event delivery and blocks unless an event is pending (do_block: local_event_delivery_enable, then
 * local_events_need_delivery); SCHEDOP_shutdown reads `struct sched_shutdown` {reason}.
 */
export function schedOp(c: XenCall, w: Work, cmd: number, arg: number): Served {
  const m = c.m;
  const x = c.xen;
  switch (cmd) {
    case SCHEDOP.yield:
      w.yielded = true;
      return ok(c, 'vCPU yields the rest of its time slice');
    case SCHEDOP.block: {
      if (!c.pv) {
        m.pc = (m.pc + 8) | 0;
        m.r[0] = 0;
        w.tookPc = true;
        m.waiting = true;
        return ok(c, 'vCPU blocked until its next interrupt');
      }
      setUpcallMask(m, x, 0);
      m.flags |= 0x200;
      const pending = x.vcpuInfo >= 0 && m.mem[x.vcpuInfo + VCPU_INFO.pending] !== 0;
      if (pending) return ok(c, 'events unmasked; one is pending: no block, the upcall follows');
      m.pc = (m.pc + 8) | 0;
      m.r[0] = 0;
      w.tookPc = true;
      m.waiting = true;
      return ok(c, 'events unmasked; vCPU blocked until an event arrives');
    }
    case SCHEDOP.shutdown: {
      const reason = readGuest(m, arg + SCHED_SHUTDOWN.reason);
      if (reason === undefined) return fail(c, -EFAULT, 'sched_shutdown not mapped');
      m.pc = (m.pc + 8) | 0;
      m.r[0] = 0;
      w.tookPc = true;
      if (reason === SHUTDOWN.crash) {
        m.setState('crashed', 'SCHEDOP_shutdown with SHUTDOWN_crash');
        return ok(c, 'the domain crashed itself (SHUTDOWN_crash)');
      }
      // VX's power-off carries an exit code: the shutdown reason (poweroff 0, reboot 1, suspend 2).
      m.exitCode = reason | 0;
      m.setState('powered-off');
      return ok(c, `domain shut down (reason ${reason})`);
    }
    default:
      return fail(c, -ENOSYS, `SCHEDOP ${cmd}`);
  }
}
