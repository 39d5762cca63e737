import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { PrometheusApi } from "./api.ts";
import { type LocalScrapeTarget, localPrometheusConfigYaml } from "./scrape-config.ts";

/**
 * A real Prometheus (Debian's /usr/bin/prometheus) on loopback, with its own data directory
 * under `dir`. Started and stopped by pid only; `stop()` checks /proc/<pid>/cmdline still
 * names this instance's config file before signalling.
 */
export const PROMETHEUS_BINARY = process.env.PROMETHEUS_BINARY ?? "/usr/bin/prometheus";

export interface LocalPrometheusOptions {
  /** Working directory (config, rules, TSDB, log); created, and wiped on start. */
  readonly dir: string;
  readonly port: number;
  /** Rule files to load: file name -> `groups:` YAML. */
  readonly ruleFiles: Readonly<Record<string, string>>;
  readonly jobs: readonly {
    readonly job: string;
    readonly targets: readonly LocalScrapeTarget[];
  }[];
  /** Short intervals make alerts and rates react within seconds in tests. */
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  readonly log?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number, marker: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").includes(marker);
  } catch {
    return false;
  }
}

export class LocalPrometheus {
  readonly api: PrometheusApi;
  private pid: number | undefined;
  private readonly configPath: string;

  constructor(private readonly options: LocalPrometheusOptions) {
    this.api = new PrometheusApi(`http://127.0.0.1:${options.port}`);
    this.configPath = join(options.dir, "prometheus.yml");
  }

  get url(): string {
    return this.api.baseUrl;
  }

  get logPath(): string {
    return join(this.options.dir, "prometheus.log");
  }

  /** The pid is also written here, so another process (the CLI's `down`) can stop it. */
  get pidPath(): string {
    return join(this.options.dir, "prometheus.pid");
  }

  /** Pid of this instance's running Prometheus, from this object or the pid file. */
  runningPid(): number | undefined {
    const pid =
      this.pid ??
      (existsSync(this.pidPath) ? Number(readFileSync(this.pidPath, "utf8").trim()) : undefined);
    return pid !== undefined && alive(pid, this.configPath) ? pid : undefined;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    if (!existsSync(PROMETHEUS_BINARY)) {
      throw new Error(
        `${PROMETHEUS_BINARY} not found: install Debian's prometheus package ` +
          `(apt-get install -y --no-install-recommends prometheus) or set PROMETHEUS_BINARY`,
      );
    }
    if (this.runningPid() !== undefined || (await this.api.ready())) {
      throw new Error(`port ${this.options.port} already serves a Prometheus; stop it first`);
    }
    const { dir } = this.options;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, "data"), { recursive: true });
    const ruleFiles = Object.entries(this.options.ruleFiles).map(([name, text]) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    });
    writeFileSync(
      this.configPath,
      localPrometheusConfigYaml({
        scrapeInterval: this.options.scrapeInterval ?? "2s",
        evaluationInterval: this.options.evaluationInterval ?? "2s",
        ruleFiles,
        jobs: this.options.jobs,
      }),
    );
    const fd = openSync(this.logPath, "a");
    try {
      const child = spawn(
        PROMETHEUS_BINARY,
        [
          `--config.file=${this.configPath}`,
          `--storage.tsdb.path=${join(dir, "data")}`,
          "--storage.tsdb.retention.time=2h",
          `--web.listen-address=127.0.0.1:${this.options.port}`,
          "--web.enable-lifecycle",
          "--log.level=warn",
        ],
        { stdio: ["ignore", fd, fd], detached: false },
      );
      if (child.pid === undefined)
        throw new Error(`could not start prometheus (see ${this.logPath})`);
      child.unref();
      this.pid = child.pid;
      writeFileSync(this.pidPath, `${child.pid}\n`);
    } finally {
      closeSync(fd);
    }
    this.options.log?.(`prometheus started (pid ${this.pid}) on ${this.url}`);
    const deadline = Date.now() + timeoutMs;
    while (!(await this.api.ready())) {
      if (!alive(this.pid, this.configPath)) {
        throw new Error(`prometheus exited at start; log:\n${readFileSync(this.logPath, "utf8")}`);
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready after ${timeoutMs} ms`);
      await sleep(200);
    }
    const broken = (await this.api.ruleGroups()).flatMap((g) =>
      g.rules.filter((r) => r.health === "err").map((r) => `${r.name}: ${r.lastError ?? ""}`),
    );
    if (broken.length > 0) throw new Error(`rules failed to evaluate: ${broken.join("; ")}`);
  }

  /** SIGTERM by pid, SIGKILL after 15 s; resolves when the process is gone. */
  async stop(): Promise<void> {
    const pid = this.runningPid();
    if (pid === undefined) return;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    while (alive(pid, this.configPath) && Date.now() < deadline) await sleep(100);
    if (alive(pid, this.configPath)) process.kill(pid, "SIGKILL");
    while (alive(pid, this.configPath)) await sleep(50);
    this.pid = undefined;
    rmSync(this.pidPath, { force: true });
    this.options.log?.("prometheus stopped");
  }

  /**
   * Waits until each of the `count` targets has been scraped successfully at least once
   * (a slow JMX scrape may time out now and then on a busy machine; one success is enough).
   * On time-out the error lists every target that never came up, with its last error.
   */
  async waitForTargets(count: number, timeoutMs: number): Promise<void> {
    const everUp = new Set<string>();

    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = await this.api.targets();
      for (const t of last) if (t.health === "up") everUp.add(t.labels.instance ?? "");
      if (last.length === count && everUp.size === count) return;
      if (Date.now() > deadline) {
        const missing = last
          .filter((t) => !everUp.has(t.labels.instance ?? ""))
          .map(
            (t) => `${t.labels.job ?? ""} ${t.labels.instance ?? ""} ${t.health} ${t.lastError}`,
          );
        throw new Error(
          `targets not all scraped after ${timeoutMs} ms (${last.length} of ${count} known): ${missing.join("; ")}`,
        );
      }
      await sleep(2_000);
    }
  }

  /** Polls `check` until it returns a value (not undefined) or the time is up. */
  async waitFor<T>(
    what: string,
    check: () => Promise<T | undefined>,
    timeoutMs: number,
    intervalMs = 2_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(intervalMs);
    }
  }
}
