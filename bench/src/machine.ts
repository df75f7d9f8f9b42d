import { cpus, release, totalmem } from 'node:os';

/** What the figures were measured on, recorded in every result. */
export interface MachineInfo {
  cpus: number;
  cpu_model: string;
  mem_gb: number;
  node: string;
  os: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpus: c.length,
    cpu_model: c[0]?.model.trim() ?? 'unknown',
    mem_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${process.platform} ${release()}`,
  };
}
