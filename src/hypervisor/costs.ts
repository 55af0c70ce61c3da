// The cost model lives with the accounting in trace/costs.ts (the bare machine charges it too);
// the hypervisor's modules keep importing it from here.
export * from '../trace/costs';
