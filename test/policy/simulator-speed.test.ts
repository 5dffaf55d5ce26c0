/**
 * The simulator's computations made cheaper for the tests (simulator-speed.ts) give the original
 * answers: the case-blind comparison is ICU's for every pair of strings (IAM's names and random ones,
 * printable ASCII or not), in English whatever the machine's locale, and the kept resource types are the
 * lookup's, failures included.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import fc from "fast-check";
import { collatorEquals, fastEquals, memoized, resourceTypesModule } from "./simulator-speed";

const NAMES = ["StringEquals", "stringequals", "StringEqualsIfExists", "IfExists", "ifexists", "ForAnyValue"];
const text = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.string({ unit: fc.constantFrom(..."aAbBiIfFxX-_ :*?", "\u00e9", "\u0130", "\u0131", "\u0000") }),
  fc.string({ unit: "binary" }),
);

test("fastEquals is ICU's case-blind, accent-sensitive equality (property)", () => {
  fc.assert(
    fc.property(text, text, (a, b) => {
      expect(fastEquals(a, b)).toBe(collatorEquals(a, b));
      expect(fastEquals(a, a.toUpperCase())).toBe(collatorEquals(a, a.toUpperCase()));
    }),
    { numRuns: 2000 },
  );
  // Not vacuous: equal and unequal pairs, the IAM names among them.
  expect(fastEquals("StringEqualsIfExists".slice(-8), "IfExists")).toBe(true);
  expect(fastEquals("ifexists", "IfExists")).toBe(true);
  expect(fastEquals("IfExist", "IfExists")).toBe(false);
});

test("fastEquals is ICU's on every pair of printable ASCII characters, and none of them is ignorable", () => {
  const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
  const disagreements: string[] = [];
  for (const a of printable) {
    for (const b of printable) if (fastEquals(a, b) !== collatorEquals(a, b)) disagreements.push(`${a} ${b}`);
    // An ignorable character would make ICU equate "a?b" with "ab" and "?" with "".
    for (const [x, y] of [
      [`a${a}b`, "ab"],
      [a, ""],
    ])
      if (fastEquals(x, y) !== collatorEquals(x, y)) disagreements.push(`${x} ${y}`);
  }
  expect(disagreements).toEqual([]);
});

test("the case-blind comparison is English's in a Turkish locale too, where ICU's default tells i from I", () => {
  // A process reads its locale when it starts: a child process in Turkish loads simulator-speed.ts as it is
  // (Node strips the types) and compares the pairs there.
  const pairs = [
    ["i", "I"],
    ["ifexists", "IfExists"],
    ["\u0131", "I"],
    ["\u0130", "i"],
    ["\u00e9", "\u00c9"],
  ];
  const script = `
    const { collatorEquals, fastEquals } = await import(${JSON.stringify(path.join(__dirname, "simulator-speed.ts"))});
    const locale = new Intl.Collator().resolvedOptions().locale;
    const answers = ${JSON.stringify(pairs)}.map(([a, b]) => [collatorEquals(a, b), fastEquals(a, b)]);
    console.log(JSON.stringify({ locale, answers }));`;
  const out = execFileSync(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], {
    env: { ...process.env, LC_ALL: "tr_TR.UTF-8", LANG: "tr_TR.UTF-8" },
    encoding: "utf8",
  });
  expect(JSON.parse(out)).toEqual({
    locale: "tr-TR",
    answers: [
      [true, true],
      [true, true],
      [false, false],
      [false, false],
      [true, true],
    ],
  });
});

test("kept resource types are the lookup's answers, a failure included, each looked up once", async () => {
  const { getResourceTypesForAction: lookup } = resourceTypesModule();
  let calls = 0;
  const kept = memoized((s, a, r) => {
    calls++;
    return lookup(s, a, r);
  });
  const requests: [string, string, string][] = [
    ["bedrock", "InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"],
    ["bedrock", "InvokeModel", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0"],
    ["iam", "DeleteRole", "arn:aws:iam::123456789012:role/bedrock-guardrail/x"],
    ["s3", "GetObject", "arn:aws:s3:::bucket/key"],
  ];
  for (const round of [1, 2])
    for (const [s, a, r] of requests)
      expect({ round, types: await kept(s, a, r) }).toEqual({ round, types: await lookup(s, a, r) });
  expect(calls).toBe(requests.length);
  const missing = () => kept("bedrock", "NoSuchAction", "*");
  await expect(missing()).rejects.toThrow();
  await expect(missing()).rejects.toThrow();
  expect(calls).toBe(requests.length + 1);
});
