// How busy the machine was while a scenario ran, apart from the scenario's own processes: total busy CPU
// time from /proc/stat minus the CPU time of the processes we started (from /proc/<pid>/stat). The
// result, in cores, is what other engineers' work took from the machine during the measurement.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Busy CPU seconds of the whole machine since boot (every mode except idle and iowait). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/** CPU seconds (user + system, with reaped children) of a live process, 0 when it is gone. */
export function processSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return (f[11]! + f[12]! + f[13]! + f[14]!) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
