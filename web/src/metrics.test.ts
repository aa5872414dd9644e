import { describe, expect, it } from "vitest";
import { parseMetrics, total } from "./metrics";

describe("parseMetrics", () => {
  const samples = parseMetrics(`# HELP x Executions
# TYPE x counter
weft_executions_closed_total{kind="sfn",status="FAILED"} 2
weft_executions_closed_total{kind="sfn",status="SUCCEEDED"} 5
weft_executions_closed_total{kind="swf",status="COMPLETED"} 1
weft_open_executions{kind="swf"} 3
weft_http_requests_total{operation="a\\"b",status="200"} 1
`);
  it("reads names, labels and values", () => {
    expect(samples).toHaveLength(5);
    expect(samples[4].labels.operation).toBe('a"b');
  });
  it("adds up the samples that match", () => {
    expect(total(samples, "weft_executions_closed_total", { kind: "sfn" })).toBe(7);
    expect(total(samples, "weft_executions_closed_total")).toBe(8);
    expect(total(samples, "weft_open_executions", { kind: "sfn" })).toBe(0);
  });
});
