// Xen's vCPU and event-channel hypercalls (xen/common/domain.c, xen/common/event_channel.c).
import { EVTCHN_BIND_VIRQ, EVTCHNOP, REGISTER_VCPU_INFO, VCPU_INFO, VCPUOP_register_vcpu_info, VIRQ_TIMER, XEN_ERRNO } from './abi';
import { portOfVirq, setPending, unmaskPort } from './events';
import { readGuest, writeGuest, writePhys } from './memory';
import { fail, hex, ok, type Served, type XenCall } from './served';

const { ENOENT, EEXIST, EFAULT, EINVAL, ENOSPC, ENOSYS } = XEN_ERRNO;

/**
 * do_vcpu_op (xen/common/domain.c): R1 the command, R2 the vCPU, R3 the argument.
 * VCPUOP_register_vcpu_info (map_vcpu_info): `struct vcpu_register_vcpu_info` {mfn (64 bits), offset}.
 */
export function vcpuOp(c: XenCall, cmd: number, vcpu: number, arg: number): Served {
  const m = c.m;
  const x = c.xen;
  if (vcpu !== 0) return fail(c, -ENOENT, `vCPU ${vcpu}: the VM has one`);
  if (cmd !== VCPUOP_register_vcpu_info) return fail(c, -ENOSYS, `VCPUOP ${cmd}`);
  const mfn = readGuest(m, arg + REGISTER_VCPU_INFO.mfn);
  const mfnHi = readGuest(m, arg + REGISTER_VCPU_INFO.mfn + 4);
  const offset = readGuest(m, arg + REGISTER_VCPU_INFO.offset);
  if (mfn === undefined || mfnHi === undefined || offset === undefined) return fail(c, -EFAULT, 'vcpu_register_vcpu_info not mapped');
  if (x.vcpuInfo >= 0) return fail(c, -EINVAL, 'vcpu_info already registered');
  // VirtLab: the page holding vcpu_info is also the domain's shared_info, so vcpu_info sits at offset 0.
  if (mfnHi !== 0 || mfn >>> 0 >= 16 || offset !== 0) return fail(c, -EINVAL, `frame ${mfn}, offset ${offset}`);
  const pa = (mfn >>> 0) << 12;
  x.vcpuInfo = pa;
  // A vCPU boots with events masked; nothing was pending before (no spurious event to carry over).
  m.hostStore(pa + VCPU_INFO.pending, 0);
  m.hostStore(pa + VCPU_INFO.mask, 1);
  writePhys(m, pa + VCPU_INFO.pendingSel, 0);
  writePhys(m, pa + VCPU_INFO.cr2, m.cr2);
  return ok(c, `vcpu_info at guest-physical ${hex(pa)} (events masked)`);
}

/** do_event_channel_op (xen/common/event_channel.c): R1 the command, R2 its structure. */
export function eventChannelOp(c: XenCall, cmd: number, arg: number): Served {
  const m = c.m;
  const x = c.xen;
  switch (cmd) {
    case EVTCHNOP.bind_virq: {
      // evtchn_bind_virq: {virq, vcpu, port (out)}.
      const virq = readGuest(m, arg + EVTCHN_BIND_VIRQ.virq);
      const vcpu = readGuest(m, arg + EVTCHN_BIND_VIRQ.vcpu);
      if (virq === undefined || vcpu === undefined) return fail(c, -EFAULT, 'evtchn_bind_virq not mapped');
      if (virq >>> 0 >= 24) return fail(c, -EINVAL, `VIRQ ${virq}`);
      if (vcpu !== 0) return fail(c, -ENOENT, `vCPU ${vcpu}`);
      if (portOfVirq(x, virq)) return fail(c, -EEXIST, `VIRQ ${virq} is already bound`);
      const port = x.portVirq.indexOf(-1, 1);
      if (port < 0) return fail(c, -ENOSPC, 'no free port');
      if (!writeGuest(m, arg + EVTCHN_BIND_VIRQ.port, port)) return fail(c, -EFAULT, 'evtchn_bind_virq.port not writable');
      x.portVirq[port] = virq;
      return ok(c, `VIRQ ${virq}${virq === VIRQ_TIMER ? ' (VIRQ_TIMER)' : ''} bound to port ${port}`);
    }
    case EVTCHNOP.bind_ipi: {
      // evtchn_bind_ipi: {vcpu, port (out)}: a channel the vCPU can send to itself.
      const vcpu = readGuest(m, arg);
      if (vcpu === undefined) return fail(c, -EFAULT, 'evtchn_bind_ipi not mapped');
      if (vcpu !== 0) return fail(c, -ENOENT, `vCPU ${vcpu}`);
      const port = x.portVirq.indexOf(-1, 1);
      if (port < 0) return fail(c, -ENOSPC, 'no free port');
      if (!writeGuest(m, arg + 4, port)) return fail(c, -EFAULT, 'evtchn_bind_ipi.port not writable');
      x.portVirq[port] = IPI;
      return ok(c, `IPI channel on port ${port}`);
    }
    case EVTCHNOP.send: {
      // evtchn_send: an IPI channel is set pending; a VIRQ channel cannot be sent to (-EINVAL).
      const port = readGuest(m, arg);
      if (port === undefined) return fail(c, -EFAULT, 'evtchn_send not mapped');
      if (port >>> 0 >= x.portVirq.length || x.portVirq[port] !== IPI) return fail(c, -EINVAL, `port ${port} is not an IPI channel`);
      setPending(m, x, port);
      return ok(c, `port ${port} set pending`);
    }
    case EVTCHNOP.unmask: {
      const port = readGuest(m, arg);
      if (port === undefined) return fail(c, -EFAULT, 'evtchn_unmask not mapped');
      if (port >>> 0 >= x.portVirq.length || port === 0) return fail(c, -EINVAL, `port ${port}`);
      unmaskPort(m, x, port);
      return ok(c, `port ${port} unmasked`);
    }
    case EVTCHNOP.close: {
      const port = readGuest(m, arg);
      if (port === undefined) return fail(c, -EFAULT, 'evtchn_close not mapped');
      if (port >>> 0 >= x.portVirq.length || port === 0 || x.portVirq[port] === -1) return fail(c, -EINVAL, `port ${port}`);
      x.portVirq[port] = -1;
      return ok(c, `port ${port} closed`);
    }
    default:
      return fail(c, -ENOSYS, `EVTCHNOP ${cmd}`);
  }
}

/** portVirq's mark for an IPI channel (EVTCHNOP_bind_ipi). */
const IPI = -2;
