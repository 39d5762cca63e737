import { z } from "zod";

/** Payload on `analytics.events`, keyed by user so sessions stay in one partition. */
export const analyticsEventTrackedV1 = z.strictObject({
  user_id: z.string().min(1),
  session_id: z.string().min(1).optional(),
  name: z.string().min(1).max(128),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  occurred_at: z.iso.datetime(),
});
