/** The @pulumi/kafka form of the derived ACLs lives with the other two in acl/forms.ts. */
export { kafkaAclResourceName, kafkaAclSpecs, type KafkaAclSpec } from "../acl/forms.ts";
