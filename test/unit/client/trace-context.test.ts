import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent } from "../../../client/envelope.ts";

describe("W3C traceparent", () => {
  it("parses the spec's example", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      sampled: true,
    });
  });

  it("rejects all-zero ids, other versions and malformed values", () => {
    expect(
      parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
    ).toBeUndefined();
    expect(
      parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
    ).toBeUndefined();
    expect(
      parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ).toBeUndefined();
    expect(parseTraceparent("garbage")).toBeUndefined();
  });

  it("formats with a fresh span id that parses back", () => {
    const header = formatTraceparent("4bf92f3577b34da6a3ce929d0e0e4736", undefined, false);
    expect(parseTraceparent(header)).toMatchObject({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      sampled: false,
    });
  });
});
