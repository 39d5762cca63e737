/**
 * The Pulumi program (Pulumi.yaml: `main: infra/`). Pulumi runs it as a native ES module
 * through tsx (`runtime.options.nodeargs: --import tsx`, see docs/pulumi.md); its named exports
 * are the stack outputs.
 */
import { definePlatform } from "./program.ts";
import { readStackSettings } from "./stack-settings.ts";

const outputs = definePlatform(readStackSettings());

export const namespace = outputs.namespace;
export const kafkaVersion = outputs.kafkaVersion;
export const topicManagement = outputs.topicManagement;
export const bootstrapServers = outputs.bootstrapServers;
export const credentialSecrets = outputs.credentialSecrets;
export const dataProtected = outputs.dataProtected;
