/** The parts of Prometheus's HTTP API (v1) the local tools and tests read. */

export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: "pending" | "firing" | "inactive";
  readonly activeAt?: string;
  readonly value: string;
}

export interface RuleGroupStatus {
  readonly name: string;
  readonly file: string;
  readonly rules: readonly {
    readonly name: string;
    readonly health: string;
    readonly lastError?: string;
  }[];
}

interface ApiResponse<T> {
  readonly status: "success" | "error";
  readonly data: T;
  readonly error?: string;
  readonly errorType?: string;
}

export class PrometheusApi {
  constructor(readonly baseUrl: string) {}

  private async get<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url);
    const body = (await res.json()) as ApiResponse<T>;
    if (body.status !== "success") {
      throw new Error(
        `Prometheus ${path} failed: ${body.errorType ?? ""} ${body.error ?? res.status}`,
      );
    }
    return body.data;
  }

  async ready(): Promise<boolean> {
    try {
      const res = await fetch(new URL("/-/ready", this.baseUrl));
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Instant query; throws on a PromQL error. */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.get<{ resultType: string; result: Sample[] | [number, string] }>(
      "/api/v1/query",
      { query: expr },
    );
    if (data.resultType === "scalar") {
      return [{ metric: {}, value: data.result as [number, string] }];
    }
    return data.result as Sample[];
  }

  async alerts(): Promise<ActiveAlert[]> {
    return (await this.get<{ alerts: ActiveAlert[] }>("/api/v1/alerts")).alerts;
  }

  async ruleGroups(): Promise<RuleGroupStatus[]> {
    return (await this.get<{ groups: RuleGroupStatus[] }>("/api/v1/rules")).groups;
  }

  /** Active targets with their health. */
  async targets(): Promise<
    { labels: Record<string, string>; health: string; lastError: string }[]
  > {
    return (
      await this.get<{
        activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
      }>("/api/v1/targets")
    ).activeTargets;
  }
}
