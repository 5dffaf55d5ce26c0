import json from "../../../policies/action-classification.json";
import { countDecisions, parseClassification, resolveClassification } from "../../../src/policy/classification";

test("scratch", () => {
  const c = parseClassification(json);
  const r = resolveClassification(c);
  console.log(r.problems.join("\n"));
  console.log(JSON.stringify([...countDecisions(r.actions)]));
});
