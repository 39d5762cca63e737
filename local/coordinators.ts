import { Admin, FindCoordinatorKeyTypes } from "@platformatic/kafka";
import type { ProbeTarget } from "./health.ts";
import { platformaticOptions } from "./kafka-client-options.ts";

/**
 * Kafka creates __consumer_offsets and __transaction_state on the first FindCoordinator, and
 * answers COORDINATOR_NOT_AVAILABLE until they have leaders. Asking once at start-up moves
 * that delay out of the first consumer or transactional producer of every test. Returns true
 * when it had to wait (the topics were new).
 */
export async function warmUpCoordinators(target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  const admin = new Admin({
    clientId: "kafka-platform-warmup",
    ...platformaticOptions(target.bootstrapServers, target.caPemPath, target.admin),
    retries: 0,
    requestTimeout: 10_000,
  });
  const deadline = Date.now() + timeoutMs;
  let waited = false;
  try {
    for (const keyType of [FindCoordinatorKeyTypes.GROUP, FindCoordinatorKeyTypes.TRANSACTION]) {
      for (;;) {
        try {
          await admin.findCoordinator({ keyType, keys: ["kafka-platform-warmup"] });
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          waited = true;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  } finally {
    await admin.close().catch(() => {});
  }
  return waited;
}
