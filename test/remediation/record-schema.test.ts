/**
 * A remediation record read back (the CLI's state file, the audit table) is checked before undo acts
 * on it: each kind with its own params, a damaged one refused in one line naming where.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ACTIONS } from "../../src/remediation/actions";
import { parseActionRecord } from "../../src/remediation/record-schema";
import { type ActionRecord, FileStore } from "../../src/remediation/store";
import type { ActionKind, ActionParamsOf } from "../../src/remediation/types";

const PARAMS: { [K in ActionKind]: ActionParamsOf[K] } = {
  "deactivate-key": { userName: "leaked", accessKeyId: "AKIAEXAMPLE" },
  "deactivate-service-credentials": { userName: "leaked", serviceName: "bedrock.amazonaws.com" },
  "revoke-user-sessions": { userName: "leaked", cutoff: "2026-01-01T00:00:00.000Z" },
  "revoke-role-sessions": { roleName: "dev", cutoff: "2026-01-01T00:00:00.000Z", eventTime: "2025-12-31T23:00:00Z" },
  "delete-agreement": { modelId: "anthropic.claude-3-sonnet-20240229-v1:0" },
  "rotate-key": { userName: "leaked", accessKeyId: "AKIAEXAMPLE", secretName: "rotated", secretReaders: [] },
  manual: {},
  none: {},
};

function recordOf<K extends ActionKind>(kind: K, extra: Record<string, unknown> = {}): ActionRecord {
  return {
    actionId: `ra-${kind}`,
    findingId: "f-1",
    kind,
    api: ACTIONS[kind].api,
    accountId: "111122223333",
    target: "t",
    mode: "enforce",
    status: "ok",
    reason: "r",
    params: PARAMS[kind],
    plannedAt: "2026-01-01T00:00:00.000Z",
    before: { status: "Active" },
    undo: { at: "2026-01-02T00:00:00.000Z", status: "ok", reason: "u" },
    ...extra,
  } as ActionRecord;
}

const problemOf = (value: unknown): string => {
  try {
    parseActionRecord(value, "where");
    return "";
  } catch (e) {
    return (e as Error).message;
  }
};

it.each(Object.keys(ACTIONS) as ActionKind[])("a %s record reads back as written", (kind) => {
  const record = recordOf(kind);
  expect(parseActionRecord(JSON.parse(JSON.stringify(record)), "where")).toEqual(record);
});

it("keys a newer release added are kept, not refused", () => {
  const record = recordOf("deactivate-key", { addedLater: 1 });
  expect(parseActionRecord(record, "where")).toEqual(record);
});

it.each([
  [{ params: { userName: "leaked" } }, /^where: not a remediation record: params\.accessKeyId: /],
  [{ kind: "delete-everything" }, /^where: not a remediation record: kind: /],
  [{ accountId: "1111" }, /accountId: must be a 12-digit AWS account id/],
  [{ status: "done" }, /status: /],
  [{ mode: "always" }, /mode: /],
  [{ undo: { at: "x", status: "reverted", reason: "" } }, /undo\.status: /],
])("a record with %j is refused in one line", (change, problem) => {
  const message = problemOf({ ...recordOf("deactivate-key"), ...change });
  expect(message).toMatch(problem);
  expect(message).not.toContain("\n");
});

describe("the CLI's state file", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "state-file-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (data: unknown): string => {
    const file = path.join(dir, "actions.json");
    fs.writeFileSync(file, JSON.stringify(data));
    return file;
  };

  it("names a state file that cannot be read in words (a directory), not by its error code", () => {
    expect(() => new FileStore(dir)).toThrow(/: is a directory, not a file$/);
    expect(() => new FileStore(dir)).not.toThrow(/EISDIR|not a bedrock-guardrail state file/);
  });

  it("names a state file that is not JSON by line and column, echoing none of its bytes as such", () => {
    const file = path.join(dir, "actions.json");
    fs.writeFileSync(file, "\x1b]0;title\x07\x1b[2J{}");
    expect(() => new FileStore(file)).toThrow(
      `${file}: not a bedrock-guardrail state file (not valid JSON at line 1, column 1: Unexpected token '\\u001b')`,
    );
  });

  it("reads back what a store wrote, every kind", async () => {
    const file = path.join(dir, "actions.json");
    const store = new FileStore(file);
    for (const kind of Object.keys(ACTIONS) as ActionKind[]) await store.putAction(recordOf(kind));
    await store.reservePrincipalAction("arn:aws:iam::111122223333:user/leaked", "2026-01-01T00", "ra-1", 6);
    const again = new FileStore(file);
    expect(again.allActions()).toEqual(store.allActions());
    expect(await again.countPrincipalActions("arn:aws:iam::111122223333:user/leaked", "2026-01-01T00")).toBe(1);
  });

  it("is written private (0600), through a fresh temporary name: a link left beside it is not followed", async () => {
    const file = path.join(dir, "actions.json");
    const victim = path.join(dir, "victim.txt");
    fs.writeFileSync(victim, "untouched");
    fs.symlinkSync(victim, `${file}.tmp`); // the name an earlier release wrote through
    await new FileStore(file).putAction(recordOf("deactivate-key"));
    expect(fs.readFileSync(victim, "utf8")).toBe("untouched");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(new FileStore(file).allActions()).toHaveLength(1);
  });

  it("refuses a damaged record, naming the file and the key", () => {
    const record = { ...recordOf("deactivate-key"), params: { userName: "leaked" } };
    const file = write({ actions: { [record.actionId]: record }, principals: {} });
    expect(() => new FileStore(file)).toThrow(
      new RegExp(`^${file}: not a bedrock-guardrail state file: actions\\.ra-deactivate-key\\.params\\.accessKeyId: `),
    );
  });

  it("refuses a record filed under another action's id", () => {
    const file = write({ actions: { "ra-other": recordOf("deactivate-key") }, principals: {} });
    expect(() => new FileStore(file)).toThrow(/actions\.ra-other: holds action ra-deactivate-key/);
  });

  it("reads a file without counters (an older release) and refuses keys it does not know at the top", () => {
    expect(new FileStore(write({ actions: {} })).allActions()).toEqual([]);
    expect(() => new FileStore(write({ actions: {}, extra: 1 }))).toThrow(/unknown key/i);
  });
});
