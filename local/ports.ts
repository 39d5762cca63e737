/**
 * Port layout of one instance: every port derives from the instance's port base, so several
 * instances (tests, client, monitoring, dev) run side by side on loopback without colliding.
 *
 *   base + id        client listener (SASL_SSL, SCRAM-SHA-512)
 *   base + 10 + id   KRaft controller listener (SSL, mutual TLS)
 *   base + 20 + id   Prometheus metrics of the JMX exporter javaagent
 */
export const LOOPBACK_HOST = "127.0.0.1";
export const NODE_IDS = [0, 1, 2] as const;
export type NodeId = (typeof NODE_IDS)[number];

export interface NodePorts {
  readonly id: NodeId;
  readonly client: number;
  readonly controller: number;
  readonly metrics: number;
}

export function nodePorts(portBase: number, id: NodeId): NodePorts {
  return { id, client: portBase + id, controller: portBase + 10 + id, metrics: portBase + 20 + id };
}

export function allNodePorts(portBase: number): NodePorts[] {
  return NODE_IDS.map((id) => nodePorts(portBase, id));
}

export function isNodeId(value: number): value is NodeId {
  return (NODE_IDS as readonly number[]).includes(value);
}

export function validatePortBase(portBase: number): void {
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase + 30 > 65535) {
    throw new Error(`port base must be a whole number from 1024 to 65505, got ${portBase}`);
  }
}
