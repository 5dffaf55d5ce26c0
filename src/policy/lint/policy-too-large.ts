/**
 * An SCP document over scp.maxPolicySize: AWS Organizations refuses it at terraform apply, after the plan looked
 * fine. The packer already spreads statements over documents, so a document this large holds one statement that
 * alone does not fit: the finding names it.
 */
import { SCP_QUOTAS } from "../../config/aws-limits";
import { type Finding, lintCheck } from "./check";

export const policyTooLarge = lintCheck({
  codes: ["policy-too-large"],
  run: ({ guardrail, documents }) => {
    const maxSize = guardrail.config.scp.maxPolicySize;
    const out: Finding<"policy-too-large">[] = [];
    // AWS's quota is the most a document may hold: below it, raising the setting is a way out; at it, none.
    const raise =
      maxSize < SCP_QUOTAS.maxPolicySize
        ? `, or raise scp.maxPolicySize up to AWS's quota of ${SCP_QUOTAS.maxPolicySize} characters`
        : "";
    for (const doc of documents) {
      if (doc.size <= maxSize) continue;
      const sids = doc.policy.Statement.map((s) => s.Sid).join(", ");
      out.push({
        level: "error",
        code: "policy-too-large",
        message:
          `SCP ${doc.name} is ${doc.size} characters, over scp.maxPolicySize ${maxSize}; statement ${sids} ` +
          `alone does not fit (shorten the exemption or allow-list patterns${raise})`,
      });
    }
    return out;
  },
});
