/** monitor.securityHub: off unless asked for; a strict object (a misspelt key is an error, not ignored). */
import { parseConfig } from "../../src/config/load";
import { APPROVED_ROLE, configProblems } from "./helpers";

describe("monitor.securityHub", () => {
  it("is off by default and on when enabled", () => {
    expect(parseConfig({ approvedPrincipalArns: [APPROVED_ROLE] }).monitor.securityHub).toEqual({ enabled: false });
    const on = parseConfig({ approvedPrincipalArns: [APPROVED_ROLE], monitor: { securityHub: { enabled: true } } });
    expect(on.monitor.securityHub.enabled).toBe(true);
  });

  it("refuses unknown keys and non-boolean values, naming the key", () => {
    const problems = (securityHub: unknown) =>
      configProblems({ approvedPrincipalArns: [APPROVED_ROLE], monitor: { securityHub } });
    expect(problems({ enable: true }).join("\n")).toMatch(/monitor\.securityHub/);
    expect(problems({ enabled: "yes" }).join("\n")).toMatch(/monitor\.securityHub\.enabled/);
  });
});
