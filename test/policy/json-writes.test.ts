/**
 * The policy's JSON is written once: packing keeps each statement's minified JSON from measuring it for the
 * document's content. An allow-list statement of many thousand models is tens of megabytes of JSON. Work is
 * counted, not timed.
 */
import { buildScpDocuments, minify, packStatements } from "../../src/policy/documents";
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
});
