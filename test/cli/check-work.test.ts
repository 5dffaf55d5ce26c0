/**
 * `check` builds the SCP statements once: with a generated allow-list of many thousand models, building them is
 * most of its time, so the lint's documents and the decision table share one build. Work is counted, not timed.
 */
import { runCheck } from "../../src/cli/commands/check";
import { buildScpStatements } from "../../src/policy/statements";
import { guardrailFor, REALISTIC_CONFIG } from "../policy/helpers";
import { captureOutput } from "./helpers";

// The builder is counted (the real function, wrapped): documents.ts and decision-table.ts import it from here too.
jest.mock("../../src/policy/statements", () => {
  const actual = jest.requireActual("../../src/policy/statements");
  return { ...actual, buildScpStatements: jest.fn(actual.buildScpStatements) };
});
const builds = buildScpStatements as jest.Mock;

describe("check's work", () => {
  it.each([
    ["text", {}],
    ["--json", { json: true }],
  ])("builds the statements once for the lint, the documents and the decision table (%s)", (_, options) => {
    const guardrail = guardrailFor(REALISTIC_CONFIG);
    builds.mockClear();
    expect(runCheck(guardrail, options, captureOutput().io)).toBe(0);
    expect(builds).toHaveBeenCalledTimes(1);
  });
});
