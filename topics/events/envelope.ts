import { z } from "zod";
import { isCatalogEventType } from "./registry.ts";

/**
 * The envelope around every payload (seed 2.2), the one source of its fields: the client
 * validates with it and the registry's value schemas (topics/schemas/) are generated from it,
 * with `type`, `version` and `payload` narrowed to each event type's payload schemas.
 */
const SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const envelopeMetadataSchema = z.strictObject({
  source: z.string().min(1),
  correlation_id: z.string().min(1),
  trace_id: z.string().regex(/^[0-9a-f]{32}$/, { message: "must be 32 lowercase hex digits" }),
});

/** The envelope's own fields, without `type`, `version` and `payload`. */
export const envelopeFields = {
  id: z.uuid(),
  timestamp: z.iso.datetime({ offset: true }),
  tenant_id: z.string().regex(SEGMENT, { message: "must be a lowercase tenant segment" }),
  metadata: envelopeMetadataSchema,
};

/** Any catalog envelope; the payload is checked per type and version afterwards. */
export const envelopeSchema = z.strictObject({
  id: envelopeFields.id,
  type: z.string().refine(isCatalogEventType, { message: "is not an event type of the catalog" }),
  timestamp: envelopeFields.timestamp,
  tenant_id: envelopeFields.tenant_id,
  version: z.int().min(1),
  payload: z.unknown(),
  metadata: envelopeFields.metadata,
});
