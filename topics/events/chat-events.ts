import { z } from "zod";

/** Payloads on `chat.events`: conversation lifecycle and delivery, keyed by conversation. */

const conversation = { conversation_id: z.string().min(1) };

export const chatConversationCreatedV1 = z.strictObject({
  ...conversation,
  created_by: z.string().min(1),
  kind: z.enum(["direct", "group", "channel"]),
  member_ids: z.array(z.string().min(1)).min(1),
  created_at: z.iso.datetime(),
});

export const chatMemberJoinedV1 = z.strictObject({
  ...conversation,
  user_id: z.string().min(1),
  invited_by: z.string().min(1).optional(),
  joined_at: z.iso.datetime(),
});

export const chatMemberLeftV1 = z.strictObject({
  ...conversation,
  user_id: z.string().min(1),
  reason: z.enum(["left", "removed", "account-deleted"]),
  left_at: z.iso.datetime(),
});

export const chatMessageReadV1 = z.strictObject({
  ...conversation,
  user_id: z.string().min(1),
  up_to_message_id: z.string().min(1),
  read_at: z.iso.datetime(),
});

export const chatMessagePersistedV1 = z.strictObject({
  ...conversation,
  message_id: z.string().min(1),
  sequence: z.int().min(0),
  persisted_at: z.iso.datetime(),
});
