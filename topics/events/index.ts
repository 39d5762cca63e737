/** Payload schemas and types of the catalog's event types, versioned. Pure: zod only. */
export {
  eventSchemas,
  isCatalogEventType,
  latestVersionOf,
  payloadSchemaFor,
  type CatalogEventType,
  type EventPayload,
  type EventPayloadInput,
  type EventVersions,
  type LatestVersion,
} from "./registry.ts";
