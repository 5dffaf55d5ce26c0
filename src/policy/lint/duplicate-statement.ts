/**
 * A Sid used twice, two identical statements, or an action listed twice in one statement: IAM requires a Sid to be
 * unique within its policy and this tool's reports name statements by Sid, while a repeated statement or action
 * spends the document's characters on nothing and can push the guardrail into one more document.
 */
import { minify, policyOf } from "../documents";
import type { ScpStatement } from "../types";
import { type Finding, lintCheck } from "./check";

/**
 * What identical statements share and costs little to tell: only statements that share it are written out in full
 * to be compared (an allow-list statement of many thousand models is tens of megabytes of JSON).
 */
const shapeOf = (s: ScpStatement) =>
  `${s.Effect} ${s.Action.join(",")} ${s.Resource?.length ?? "-"} ${s.NotResource?.length ?? "-"}`;

export function duplicateFindings(statements: ScpStatement[]): Finding<"duplicate-statement">[] {
  const out: Finding<"duplicate-statement">[] = [];
  const sids = new Set<string>();
  const bodies = new Map<string, string>();
  const shapes = statements.map(shapeOf);
  const shared = new Set(shapes.filter((shape, n) => shapes.indexOf(shape) !== n));
  for (const [n, s] of statements.entries()) {
    if (sids.has(s.Sid))
      out.push({ level: "error", code: "duplicate-statement", message: `Sid ${s.Sid} is used twice` });
    sids.add(s.Sid);
    const { Sid, ...body } = s;
    // A statement shaped like no other is identical to none.
    if (shared.has(shapes[n])) {
      const key = minify(policyOf([{ Sid: "", ...body }]));
      const first = bodies.get(key);
      if (first)
        out.push({
          level: "error",
          code: "duplicate-statement",
          message: `statements ${first} and ${Sid} are identical`,
        });
      else bodies.set(key, Sid);
    }
    const repeated = s.Action.filter((a, i) => s.Action.indexOf(a) !== i);
    if (repeated.length)
      out.push({
        level: "error",
        code: "duplicate-statement",
        message: `statement ${Sid} lists ${repeated.join(", ")} twice`,
      });
  }
  return out;
}

export const duplicateStatement = lintCheck({
  codes: ["duplicate-statement"],
  run: ({ statements }) => duplicateFindings(statements),
});
