import { z } from "zod";

/** Payloads on `chat.messages.<tenant>`; every one names its conversation (the message key). */

const messageRef = {
  conversation_id: z.string().min(1),
  message_id: z.string().min(1),
};

export const chatMessageSentV1 = z.strictObject({
  ...messageRef,
  sender_id: z.string().min(1),
  text: z.string().max(16_384),
  attachments: z
    .array(z.strictObject({ url: z.url(), content_type: z.string().min(1), bytes: z.int().min(0) }))
    .max(32)
    .default([]),
  sent_at: z.iso.datetime(),
});

export const chatMessageEditedV1 = z.strictObject({
  ...messageRef,
  editor_id: z.string().min(1),
  text: z.string().max(16_384),
  edited_at: z.iso.datetime(),
});

export const chatMessageDeletedV1 = z.strictObject({
  ...messageRef,
  deleted_by: z.string().min(1),
  deleted_at: z.iso.datetime(),
});
