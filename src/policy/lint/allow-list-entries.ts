/**
 * Rules that judge one scp.modelAllowList entry at a time. They run as one check, entry by entry and every rule
 * on an entry in turn, so an entry's findings stay together in the output, in the order of the list.
 */
import { type ArnParts, parseArn } from "../../arn/arn-like";
import type { Finding, LintCheck, LintInput } from "./check";

/** An allow-list entry that parses as an ARN (config refuses any other), with how a finding names it. */
interface AllowListEntry {
  arn: ArnParts;
  /** `scp.modelAllowList[<index>] <pattern>` */
  where: string;
}

export interface AllowListEntryRule<C extends string> {
  code: C;
  /** Called once per lint with what every entry's judgement may share; returns the judgement of one entry. */
  prepare: (input: LintInput) => (entry: AllowListEntry) => Finding<NoInfer<C>> | undefined;
}

/** A rule with its code kept literal (see lintCheck). */
export const allowListEntryRule = <const C extends string>(rule: AllowListEntryRule<C>): AllowListEntryRule<C> => rule;

/** One check of the rules, in this order on each entry. */
export function allowListEntries<const C extends string>(...rules: AllowListEntryRule<C>[]): LintCheck<C> {
  return {
    codes: rules.map((r) => r.code),
    comparesAllowListEntries: true,
    run: (input) => {
      const list = input.guardrail.config.scp.modelAllowList;
      if (!list) return [];
      const judgements = rules.map((r) => r.prepare(input));
      return list.flatMap((pattern, i) => {
        const arn = parseArn(pattern);
        if (!arn) return [];
        const entry = { arn, where: `scp.modelAllowList[${i}] ${pattern}` };
        return judgements.flatMap((judge) => judge(entry) ?? []);
      });
    },
  };
}
