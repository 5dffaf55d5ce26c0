/** monitor.logRetentionDays: only the retention periods CloudWatch Logs accepts (others fail at apply). */
import { parseConfig } from "../../src/config/load";
import { LOG_RETENTION_DAYS } from "../../src/config/sections/monitor";
import { APPROVED_ROLE, configProblems } from "./helpers";

const withRetention = (logRetentionDays: unknown) => ({
  approvedPrincipalArns: [APPROVED_ROLE],
  monitor: { logRetentionDays },
});

describe("monitor.logRetentionDays", () => {
  it("defaults to 90", () => {
    expect(parseConfig(withRetention(undefined)).monitor.logRetentionDays).toBe(90);
  });

  it.each([...LOG_RETENTION_DAYS])("accepts %d", (days) => {
    expect(parseConfig(withRetention(days)).monitor.logRetentionDays).toBe(days);
  });

  it.each([0, 2, 10, 89, 91, 366, 730, 1000, 3650, 3654, 7.5, -1, "90"])(
    "refuses %p, listing the allowed values",
    (days) => {
      expect(configProblems(withRetention(days))).toEqual([
        "monitor.logRetentionDays: must be one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, " +
          "60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      ]);
    },
  );

  it("the published JSON Schema lists the same values", () => {
    const schema = require("../../guardrail.schema.json");
    expect(schema.properties.monitor.properties.logRetentionDays.enum).toEqual([...LOG_RETENTION_DAYS]);
  });
});
