import { z } from "zod";

/** Payload on `notifications.pending`, keyed by recipient. */
export const notificationRequestedV1 = z.strictObject({
  user_id: z.string().min(1),
  notification_id: z.string().min(1),
  channel: z.enum(["push", "email"]),
  title: z.string().min(1).max(256),
  body: z.string().max(4_096),
  conversation_id: z.string().min(1).optional(),
  requested_at: z.iso.datetime(),
});
