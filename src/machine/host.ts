// The interface between a machine and the software beneath it, gathered under one path: the Host
// interface (declared in machine.ts, beside the Machine that holds and calls it; the machine stays bare
// metal and never imports the monitor) and the data it is handed (host-data.ts). Split so that neither
// file imports the other (test/architecture.test.ts allows no cycle, type-only ones included).
export type { DeliveryCause, SystemInstruction } from './host-data';
export type { Host } from './machine';
