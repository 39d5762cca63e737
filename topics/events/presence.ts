import { z } from "zod";

/** Payload on `presence.updates` (compacted per user). */
export const presenceChangedV1 = z.strictObject({
  user_id: z.string().min(1),
  status: z.enum(["online", "away", "offline"]),
  device: z.enum(["web", "ios", "android", "desktop"]).optional(),
  changed_at: z.iso.datetime(),
});
