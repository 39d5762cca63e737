import { randomUUID } from "node:crypto";

/** W3C Trace Context (https://www.w3.org/TR/trace-context/) as a Kafka header. */
export const TRACEPARENT_HEADER = "traceparent";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

/** `00-<trace id>-<span id>-01`; a fresh span id when none is given. */
export function formatTraceparent(traceId: string, spanId?: string, sampled = true): string {
  // randomUUID draws from a cached entropy pool: far cheaper per call than randomBytes(8).
  const span = spanId ?? randomUUID().replaceAll("-", "").slice(0, 16);
  return `00-${traceId}-${span}-${sampled ? "01" : "00"}`;
}

/** Undefined for anything that is not a version-00 traceparent with non-zero ids. */
export function parseTraceparent(header: string): TraceParent | undefined {
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return undefined;
  const [, traceId = "", spanId = "", flags = "00"] = match;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}
