import { z } from "zod";

/** Payload on `internal.<service>.commands`, keyed by the aggregate the command acts on. */
export const commandIssuedV1 = z.strictObject({
  aggregate_id: z.string().min(1),
  command: z.string().min(1).max(128),
  arguments: z.record(z.string(), z.unknown()),
  issued_by: z.string().min(1),
  deadline: z.iso.datetime().optional(),
});
