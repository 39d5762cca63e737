/** The topic catalog as services and tools import it (`kafka-platform/topics`). Pure data and functions. */
export { topicCatalog, type CatalogTopicTemplate } from "./catalog.ts";
export * from "./policy.ts";
export * from "./naming.ts";
export { resolveTopics, consumesAnything, type TopicResolutionInput } from "./resolve.ts";
export { validateCatalog } from "./validate.ts";
export { ValidationError, formatIssue, type ValidationIssue } from "./validation-error.ts";
export type * from "./types.ts";
export * from "./events/index.ts";
