import { readFileSync } from "node:fs";

/** CPU time (user + system, µs) of other processes, from /proc/<pid>/stat (Linux). */
function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1_000_000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** Measures the CPU the brokers and this process spend during one benchmark phase. */
export class CpuMeter {
  private readonly brokersAtStart: number;
  private readonly selfAtStart: NodeJS.CpuUsage;

  constructor(private readonly brokerPids: readonly number[]) {
    this.brokersAtStart = this.brokers();
    this.selfAtStart = process.cpuUsage();
  }

  private brokers(): number {
    return this.brokerPids.reduce((sum, pid) => sum + processCpuMicros(pid), 0);
  }

  /** µs of CPU per message: the brokers together, and this (client) process. */
  perMessage(messages: number): { brokerUs: number; clientUs: number } {
    const self = process.cpuUsage(this.selfAtStart);
    return {
      brokerUs: (this.brokers() - this.brokersAtStart) / messages,
      clientUs: (self.user + self.system) / messages,
    };
  }
}
