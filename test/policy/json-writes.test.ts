/**
 * The policy's JSON is written once: packing keeps each statement's minified JSON from measuring it for the
 * document's content, and the lint writes a statement out in full only to compare it with one shaped like it. An
 * allow-list statement of many thousand models is tens of megabytes of JSON. Work is counted, not timed.
 */
import { buildScpDocuments, minify, packStatements } from "../../src/policy/documents";
import { duplicateFindings } from "../../src/policy/lint";
import { buildScpStatements } from "../../src/policy/statements";
import { FULL_CONFIG, guardrailFor, REALISTIC_CONFIG } from "./helpers";

afterEach(() => jest.restoreAllMocks());

describe("the policy's JSON", () => {
  it.each([
    ["full", FULL_CONFIG],
    ["realistic", REALISTIC_CONFIG],
  ])("packing writes each statement's JSON once, and a document's content is its minified policy (%s)", (_, config) => {
    const guardrail = guardrailFor(config);
    const statements = buildScpStatements(guardrail);
    const stringify = jest.spyOn(JSON, "stringify");
    const documents = packStatements(statements, 10_240, "doc");
    expect(stringify).toHaveBeenCalledTimes(statements.length);
    stringify.mockRestore();
    expect(documents.length).toBeGreaterThan(1);
    for (const d of documents) {
      expect(d.content).toBe(minify(d.policy));
      expect(d.size).toBe(d.content.length);
    }
    expect(buildScpDocuments(guardrail, statements)).toEqual(buildScpDocuments(guardrail));
  });

  it("the lint writes no statement out to compare it when none is shaped like another", () => {
    const statements = buildScpStatements(guardrailFor(REALISTIC_CONFIG));
    const stringify = jest.spyOn(JSON, "stringify");
    expect(duplicateFindings(statements)).toEqual([]);
    expect(stringify).not.toHaveBeenCalled();
    stringify.mockRestore();
    // Shaped alike, they are compared in full: a copy under another Sid is still found, wherever it stands.
    const copy = { ...statements[3], Sid: "Copy" };
    expect(duplicateFindings([...statements, copy]).map((f) => f.message)).toEqual([
      `statements ${statements[3].Sid} and Copy are identical`,
    ]);
    const narrowed = { ...copy, Condition: {} };
    expect(duplicateFindings([narrowed, ...statements])).toEqual([]);
  });
});
