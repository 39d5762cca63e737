import { describe, expect, it } from "vitest";
import { field, ofKind, renderedStacks } from "../render/rendered-stacks.ts";

/** Issue 14, item 10: CA renewal rolls pods only inside the stack's change windows. */
describe.each(renderedStacks().map((s) => [s.stack, s] as const))("stack %s", (_n, rendered) => {
  const cfg = rendered.model.config;
  const kafka = ofKind(rendered.objects, "Kafka")[0];

  it("sets Kafka spec.maintenanceTimeWindows from the stack outside dev", () => {
    const windows = field(kafka, "spec", "maintenanceTimeWindows");
    if (cfg.environment === "dev") {
      expect(windows).toBeUndefined();
      return;
    }
    expect(windows).toEqual(cfg.cluster.maintenanceTimeWindows);
    // One window a week at least, each a Quartz expression with seconds (7 fields).
    expect((windows as string[]).length).toBeGreaterThan(0);
    for (const w of windows as string[]) expect(w.split(/\s+/)).toHaveLength(7);
  });
});
