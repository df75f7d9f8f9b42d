/** @asp/loadgen: runs a workload through the client and measures what producers see. */
export { Histogram } from './histogram.ts';
export type { LoadOptions, LoadProgress, LoadReport } from './run.ts';
export { runLoad, runSetup } from './run.ts';
