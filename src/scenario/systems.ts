// The real products a virtualization course names, and the settings under which VirtLab stands in for
// each (`virtlab systems`, the scenario's `system` field of interfaces.md). Years are first releases.
// Sources: VMware's own timeline (Workstation 1.0 in May 1999; ESX Server 1.0 in 2001); Barham et al.,
// "Xen and the Art of Virtualization", SOSP 2003 (Xen 1.0, 2003); Xen 3.0 (2005) for HVM guests on
// VT-x; KVM merged in Linux 2.6.20 (February 2007); Bellard, "QEMU, a Fast and Portable Dynamic
// Translator", USENIX 2005 (first release 2003); Creasy, "The Origin of the VM/370 Time-Sharing
// System", IBM J. R&D 1981 (CP-67 1967–68, VM/370 1972).

import type { TechniqueId } from '../config';
import type { Variant } from '../isa/table';

export interface RealSystem {
  readonly id: string;
  readonly name: string;
  readonly year: number;
  /** The VirtLab technique that stands in for it; null when it is not a virtual machine at all. */
  readonly technique: TechniqueId | null;
  /** Hypervisor type: 1 on the bare machine, 2 hosted by an OS; null for no hypervisor. */
  readonly type: 1 | 2 | null;
  readonly preset: '2006' | 'modern';
  readonly isa?: Variant;
  /** The AMD-V flavour (most are shown on Intel VT-x, the default). */
  readonly vendor?: 'intel' | 'amd';
  /** What the real system did, in a sentence. */
  readonly summary: string;
  /** What VirtLab leaves out or changes. */
  readonly simplifies: string;
}

export const SYSTEMS: readonly RealSystem[] = [
  {
    id: 'cp-67',
    name: 'IBM CP-67',
    year: 1967,
    technique: 'trap-and-emulate',
    type: 1,
    preset: '2006',
    isa: 'strict',
    summary:
      'The first trap-and-emulate VMM (CP-40/CP-67 on the System/360 Model 67): every privileged instruction of a guest traps and is emulated.',
    simplifies:
      'VX `strict` stands in for the S/360-67: every sensitive instruction is privileged. No channel I/O, no CMS; costs are those of the 2006 preset, not of a 1967 machine.',
  },
  {
    id: 'vm-370',
    name: 'IBM VM/370',
    year: 1972,
    technique: 'trap-and-emulate',
    type: 1,
    preset: '2006',
    isa: 'strict',
    summary:
      "CP-67's successor on System/370, the machine Popek and Goldberg's theorems describe: trap-and-emulate with shadow page tables.",
    simplifies:
      'VX `strict` stands in for System/370. No channel programs, no virtual-machine assists (the microcode that later cut trap costs).',
  },
  {
    id: 'bochs',
    name: 'Bochs',
    year: 1994,
    technique: 'interpret',
    type: 2,
    preset: 'modern',
    summary: 'A portable x86 PC emulator: fetches, decodes and executes every guest instruction in software.',
    simplifies: 'One interpretation cost per instruction; no emulated BIOS or PC devices beyond the VX console, timer and exit ports.',
  },
  {
    id: 'vmware-workstation-1',
    name: 'VMware Workstation 1.0',
    year: 1999,
    technique: 'binary-translation',
    type: 2,
    preset: '2006',
    summary:
      "VMware's first product: guest kernel code is translated block by block (sensitive instructions become callouts or inline vCPU updates), guest user code runs directly; hosted on Windows or Linux (VMM, VMX process and driver), I/O through the host OS.",
    simplifies:
      "One translation unit per basic block, a fixed translation-cache size, no adaptive retranslation beyond page-table stores; the hosted world switch is one modelled cost each way. Costs are 2006's (Adams & Agesen's Pentium 4), not 1999's.",
  },
  {
    id: 'esx-server-1',
    name: 'VMware ESX Server 1.0',
    year: 2001,
    technique: 'binary-translation',
    type: 1,
    preset: '2006',
    summary: "VMware's bare-metal hypervisor (the vmkernel): the same binary translator as Workstation, with no host OS under it.",
    simplifies: 'No memory ballooning, content-based page sharing or SMP guests; the 2006 costs.',
  },
  {
    id: 'xen-1',
    name: 'Xen 1.0',
    year: 2003,
    technique: 'paravirtualization',
    type: 1,
    preset: '2006',
    summary:
      'The guest kernel is modified to run at ring 1 and call the hypervisor (hypercalls) instead of executing privileged instructions; page tables are validated by Xen.',
    simplifies:
      "VirtLab's hypercalls are a subset of Xen's, with Xen's names; there is no dom0, no split drivers or grant tables; the guest is a VX program, not XenoLinux.",
  },
  {
    id: 'qemu',
    name: 'QEMU (TCG)',
    year: 2003,
    technique: 'binary-translation',
    type: 2,
    preset: 'modern',
    summary:
      "QEMU's dynamic translator (dyngen, later TCG) translates all guest code — user and kernel — through an intermediate form into host code, for any guest ISA on any host, with a software MMU. VMware's translator is x86 to x86, translates only guest-kernel code and keeps most instructions identical; guest user code runs directly.",
    simplifies:
      "VirtLab has one translator, VMware's kind: under this setting guest user code still runs directly and the MMU is shadow paging, so QEMU's cross-ISA cost is not shown (for a fully software machine, compare with interpretation). With KVM, QEMU is the device model of a hardware-assisted VM instead: choose `kvm`.",
  },
  {
    id: 'xen-hvm',
    name: 'Xen HVM (Xen 3.0)',
    year: 2005,
    technique: 'hardware-assisted',
    type: 1,
    preset: '2006',
    summary: 'Xen 3.0 runs unmodified guests (HVM) on Intel VT-x and AMD-V; devices are emulated by a QEMU-derived device model.',
    simplifies: 'No dom0 and no separate device-model process: an I/O exit is handled in the hypervisor.',
  },
  {
    id: 'parallels',
    name: 'Parallels Workstation / Desktop',
    year: 2006,
    technique: 'hardware-assisted',
    type: 2,
    preset: '2006',
    summary: 'A hosted hypervisor built on VT-x from its first release (Parallels Desktop for Mac, 2006).',
    simplifies: 'Exits that reach the host OS are one modelled world switch each way; no guest tools or paravirtual drivers.',
  },
  {
    id: 'kvm',
    name: 'KVM (Linux)',
    year: 2007,
    technique: 'hardware-assisted',
    type: 2,
    preset: 'modern',
    summary:
      "Linux's kernel module (in Linux 2.6.20) that turns the kernel into a hypervisor on VT-x or AMD-V; each VM is a QEMU process that emulates the devices. VirtLab names KVM's exit handlers (vmx.c, svm.c).",
    simplifies:
      "KVM is often called type 1, since its hypervisor is the host kernel itself, on the bare machine. VirtLab shows it as type 2 because that is what a student sees in its costs: the host is a full OS, and an I/O exit goes back to the QEMU process in user space — VirtLab's type-2 host round trip. Set hypervisor.type to 1 to see the type-1 view.",
  },
  {
    id: 'virtualbox',
    name: 'VirtualBox',
    year: 2007,
    technique: 'hardware-assisted',
    type: 2,
    preset: 'modern',
    summary:
      "A hosted hypervisor (Innotek, then Sun and Oracle). Its early software mode ran guest kernels at ring 1 and scanned and recompiled code (with QEMU's recompiler) — close to binary translation; VT-x/AMD-V became the norm and, from VirtualBox 6.1 (2019), the only mode.",
    simplifies: 'Shown in its hardware-assisted mode; for its old software mode, choose binary translation.',
  },
  {
    id: 'vmware-fusion',
    name: 'VMware Fusion',
    year: 2007,
    technique: 'hardware-assisted',
    type: 2,
    preset: 'modern',
    summary: "VMware's hosted hypervisor for Intel Macs, on VT-x from the start.",
    simplifies: 'As for every type-2 product: a host OS round trip per exit that reaches it; no guest tools.',
  },
  {
    id: 'hyper-v',
    name: 'Microsoft Hyper-V',
    year: 2008,
    technique: 'hardware-assisted',
    type: 1,
    preset: 'modern',
    summary: "Windows Server 2008's hypervisor: type 1 on VT-x or AMD-V, with a privileged root partition that owns the devices.",
    simplifies:
      'No root partition or VMBus: I/O exits are handled in the hypervisor. Its enlightenments (paravirtual interfaces) are not shown.',
  },
  {
    id: 'vsphere',
    name: 'VMware vSphere (ESXi)',
    year: 2009,
    technique: 'hardware-assisted',
    type: 1,
    preset: 'modern',
    summary: "vSphere 4's ESX/ESXi: type 1 on VT-x/AMD-V with EPT/RVI nested paging (VMware's EPT study, 2009).",
    simplifies: 'No DRS, vMotion cluster or memory overcommitment; nested paging and a tagged TLB from the modern preset.',
  },
  {
    id: 'wine',
    name: 'Wine',
    year: 1993,
    technique: null,
    type: null,
    preset: 'modern',
    summary:
      'Not a virtual machine: Wine runs Windows programs as ordinary processes of Linux or macOS by reimplementing the Windows API (Wine Is Not an Emulator). There is no guest OS and no virtual hardware, so there is no hypervisor and no technique to show.',
    simplifies:
      "VirtLab cannot show it: it virtualizes machines, not an operating system's programming interface. The nearest thing on screen is bare metal (`native`) running one program.",
  },
];

export function systemById(id: string): RealSystem | undefined {
  const s = SYSTEMS.find((x) => x.id === id);
  return s && s.technique !== null ? s : undefined;
}
