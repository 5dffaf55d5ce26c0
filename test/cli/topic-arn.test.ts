/**
 * A `--topic-arn` (or the ALERT_TOPIC_ARN it defaults to) that is no SNS topic ARN is a usage error (exit 2, one line
 * naming the input) before any AWS call, in every command that takes one: remediate --execute would otherwise take
 * its actions and fail only at the follow-up report, run-once would write the run's state and fail at the alert, and
 * verify without monitor.alertEmails passed a typo over.
 */
import { runRemediate } from "../../src/cli/commands/remediate";
import { runOnce } from "../../src/cli/commands/run-once";
import { verify } from "../../src/cli/commands/verify";
import { guardrailWith, TOPIC_ARN } from "../runtime/helpers";

const g = guardrailWith();
const NOT_A_TOPIC = "arn:aws:sns:us-east-1:111122223333";
const refusal = (command: string, input: string, value: string) =>
  `${command}: ${input} ${JSON.stringify(value)} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)\n`;

function io(env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    out: () => out,
    err: () => err,
  };
}

/** Fails the test when called: nothing may reach AWS (or the findings) after a refused topic. */
const untouched = (): never => {
  throw new Error("called after a refused --topic-arn");
};

describe("a --topic-arn that is not one", () => {
  it("remediate refuses it before reading the findings or building a responder", async () => {
    const s = io();
    const code = await runRemediate(
      "findings.ndjson",
      { topicArn: NOT_A_TOPIC, execute: true },
      { ...s, responder: untouched },
    );
    expect({ code, out: s.out(), err: s.err() }).toEqual({
      code: 2,
      out: "",
      err: refusal("remediate", "--topic-arn", NOT_A_TOPIC),
    });
  });

  it("run-once refuses the flag, and ALERT_TOPIC_ARN when it would publish, before the query runs", async () => {
    const source = { backend: "athena" as const, run: untouched };
    const flag = io();
    const opts = { backend: "athena", stateTable: "t" };
    expect(await runOnce(g, { ...opts, topicArn: "alerts" }, { ...flag, source })).toBe(2);
    expect(flag.err()).toBe(refusal("run-once", "--topic-arn", "alerts"));
    const env = io({ ALERT_TOPIC_ARN: NOT_A_TOPIC });
    expect(await runOnce(g, opts, { ...env, source })).toBe(2);
    expect(env.err()).toBe(refusal("run-once", "ALERT_TOPIC_ARN", NOT_A_TOPIC));
  });

  it("verify refuses it also without monitor.alertEmails, and a topic ARN passes", async () => {
    const s = io();
    expect(await verify(g, { topicArn: "alerts" }, { ...s, readOrganization: untouched })).toBe(2);
    expect(s.err()).toBe(refusal("verify", "--topic-arn", "alerts"));
    const ok = io();
    const organization = async () => ({ roots: [], policies: [], targets: {} });
    await verify(g, { topicArn: TOPIC_ARN }, { ...ok, readOrganization: organization });
    expect(ok.err()).not.toMatch(/is not an SNS topic ARN/);
  });
});
