/**
 * The shape of the Service Control Policy documents this tool writes. Only the IAM grammar the
 * builder emits is modelled, so the pure evaluator (decision-table.ts) can interpret every field.
 */

/** Condition operators the builder emits; the evaluator refuses anything else rather than guess. */
export type ConditionOperator =
  | "ArnLike"
  | "ArnNotLike"
  | "StringEquals"
  | "StringEqualsIfExists"
  | "StringEqualsIgnoreCase"
  | "StringNotEquals"
  | "StringLike"
  | "StringNotLike"
  | "ForAnyValue:StringEquals"
  | "ForAnyValue:StringNotLike"
  | "ForAllValues:StringNotEquals";

export type ScpCondition = Partial<Record<ConditionOperator, Record<string, string[]>>>;

export interface ScpStatement {
  Sid: string;
  Effect: "Deny";
  Action: string[];
  /** Exactly one of Resource / NotResource. */
  Resource?: string[] | "*";
  NotResource?: string[];
  /** Absent when a statement denies everyone (a protection with nobody allowed to pass it). */
  Condition?: ScpCondition;
}

export interface ScpPolicy {
  Version: "2012-10-17";
  Statement: ScpStatement[];
}

/** One aws_organizations_policy: its minified content and what it holds. */
export interface ScpDocument {
  /** Policy name: the configured scp.name, with -2, -3 ... for documents after the first. */
  name: string;
  policy: ScpPolicy;
  /** Minified JSON, exactly what Organizations stores and counts against the size quota. */
  content: string;
  /** content.length: AWS counts characters of the minified document. */
  size: number;
}
