/**
 * A rule's `ecs` takes ECS's own values only, and each type one that ECS expects with one of the
 * listed categories: a SIEM that validates ECS categorization accepts every finding.
 */
import { EcsCategorizationSchema } from "../../src/guardrail/ecs-categorization";

const problems = (value: unknown): string[] => {
  const result = EcsCategorizationSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

it.each([
  [{ category: ["api"], type: ["access"] }],
  [{ category: ["iam", "configuration"], type: ["change"] }],
  [{ category: ["iam"], type: ["creation", "user"] }],
  // "user" is expected with iam only, "access" with configuration only: each type needs one category.
  [{ category: ["iam", "configuration"], type: ["user", "access"] }],
])("accepts %j", (ecs) => {
  expect(problems(ecs)).toEqual([]);
});

it.each([
  [
    { category: ["configuration"], type: ["user"] },
    /type\.0: ECS expects "user" with none of the categories "configuration"/,
  ],
  [{ category: ["iam"], type: ["access"] }, /type\.0: ECS expects "access"/],
  [{ category: ["api"], type: ["access", "access"] }, /type: lists a value twice/],
  [{ category: ["cloud"], type: ["access"] }, /category\.0: /],
  [{ category: ["api"], type: ["accessed"] }, /type\.0: /],
  [{ category: [], type: ["access"] }, /category: /],
  [{ category: ["api"] }, /type: /],
  [{ category: ["api"], type: ["access"], kind: "alert" }, /unrecognized|kind/i],
])("refuses %j", (ecs, problem) => {
  expect(problems(ecs).join("\n")).toMatch(problem);
});
