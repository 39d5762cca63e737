import { z } from "zod";

/** Payload on `audit.log`; the key is the envelope's tenant_id, so it is not repeated here. */
export const auditRecordedV1 = z.strictObject({
  actor_id: z.string().min(1),
  action: z.string().min(1).max(128),
  target: z.string().min(1).max(512),
  outcome: z.enum(["success", "denied", "error"]),
  ip: z.string().min(1).optional(),
  recorded_at: z.iso.datetime(),
});
