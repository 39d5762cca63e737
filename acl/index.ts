/** Services and the least-privilege access derived from their declarations. */
export { services, PLATFORM_ADMIN_USER, type ServiceName } from "./services.ts";
export {
  broadcastGroupPrefixFor,
  deriveAllAccess,
  deriveServiceAccess,
  transactionalIdPrefixFor,
} from "./derive.ts";
export type * from "./types.ts";
export {
  SCRAM_PASSWORD_KEY,
  SERVICE_CREDENTIALS_KEYS,
  scramPasswordSecretName,
  serviceCredentialsSecretName,
  type ServiceCredentialsKey,
} from "./credentials.ts";
export {
  adminAclBindings,
  kafkaAclResourceName,
  kafkaAclSpecs,
  principalOf,
  strimziAcl,
  type AdminAclBinding,
  type KafkaAclSpec,
  type StrimziAcl,
} from "./forms.ts";
export {
  SCHEMA_REGISTRY_DEFAULT_NAMESPACE,
  SCHEMA_REGISTRY_GROUP_PREFIX,
  SCHEMA_REGISTRY_USER,
  deriveSchemaRegistryAccess,
  schemaRegistryTopics,
} from "./schema-registry.ts";
