/**
 * Property: a bedrock-mantle:Model pattern derived from an allow-list entry (every pattern but the
 * entry's id as listed) matches only the mantle ids of models the entry matches. Checked against a
 * random catalogue of Bedrock model ids (provider.name[-date]-version, as Bedrock names them) and
 * entries written from them with wildcards in any place: a derived pattern that matched the mantle id
 * of a catalogue model the entry does not match would allow an unlisted model on mantle.
 */
import fc from "fast-check";
import { globMatch } from "../../src/arn/arn-like";
import { mantleModelId, mantleModelPatterns } from "../../src/policy/mantle-models";

const bedrockModelId = fc
  .tuple(
    fc.constantFrom("anthropic", "amazon", "openai", "deepseek"),
    fc.array(fc.constantFrom("claude", "sonnet", "opus", "nova", "pro", "gpt", "oss", "r1", "4", "5", "120b"), {
      minLength: 1,
      maxLength: 4,
    }),
    fc.constantFrom("", "-20250929", "-20250805", "-20240620"),
    fc.constantFrom("-v1:0", "-v2:0", "-v1", "-1:0"),
  )
  .map(([provider, name, date, version]) => `${provider}.${name.join("-")}${date}${version}`);

/** An entry written from a model id: some spans replaced by `*`, some characters by `?`. */
const entryFrom = (id: string) =>
  fc
    .array(fc.tuple(fc.nat(id.length), fc.nat(id.length), fc.constantFrom("*", "?", "")), { maxLength: 3 })
    .map((edits) =>
      edits.reduce((text, [a, b, wildcard]) => {
        const [from, to] = [Math.min(a, b, text.length), Math.min(Math.max(a, b), text.length)];
        return wildcard === "?"
          ? text.slice(0, from) + "?" + text.slice(from + 1)
          : text.slice(0, from) + wildcard + text.slice(to);
      }, id),
    );

test("a derived mantle pattern matches only the mantle ids of models its entry matches", () => {
  const catalogueAndEntry = fc
    .array(bedrockModelId, { minLength: 1, maxLength: 12 })
    .chain((catalogue) => fc.tuple(fc.constant(catalogue), fc.constantFrom(...catalogue).chain(entryFrom)));
  fc.assert(
    fc.property(catalogueAndEntry, ([catalogue, listed]) => {
      const models = /[*?]/.test(listed) ? catalogue : [...catalogue, listed];
      const listedModels = models.filter((m) => globMatch(listed, m));
      const mantleIds = [...new Set(models.map(mantleModelId))];
      const derived = mantleModelPatterns([`arn:aws:bedrock:*::foundation-model/${listed}`]).filter(
        (p) => p !== listed,
      );
      for (const pattern of derived)
        for (const mantleId of mantleIds.filter((id) => globMatch(pattern, id)))
          expect(listedModels.map(mantleModelId)).toContain(mantleId);
    }),
    {
      numRuns: 2000,
      // The shapes reviewers found: a wildcard before the date and version suffix.
      examples: [
        [
          [
            ["anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-opus-4-1-20250805-v1:0"],
            "anthropic.claude-*-20250929-v1:0",
          ],
        ],
        [[["anthropic.claude-sonnet-4-5-20250929-v1:0", "deepseek.r1-v1:0"], "*-20250929-v1:0"]],
      ],
    },
  );
});
