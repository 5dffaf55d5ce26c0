import fc from "fast-check";
import { leastActing, resolveMode } from "../../src/remediation/mode";
import {
  effectiveCutoff,
  mergeRevocation,
  parsePolicyDocument,
  ourCutoff,
  removeRevocation,
  restoreRevocation,
  REVOCATION_SID,
} from "../../src/remediation/revocation-policy";

describe("resolveMode", () => {
  const overrides = [
    { target: "111111111111", mode: "enforce" as const },
    { target: "ou-abcd-11111111", mode: "off" as const },
    { target: "ou-abcd-22222222", mode: "enforce" as const },
  ];
  it("account override beats OU overrides, nearest OU beats farther, default last", () => {
    expect(resolveMode("111111111111", "dry-run", overrides, ["ou-abcd-11111111", "r-abcd"]).mode).toBe("enforce");
    expect(
      resolveMode("222222222222", "dry-run", overrides, ["ou-abcd-22222222", "ou-abcd-11111111", "r-abcd"]).mode,
    ).toBe("enforce");
    expect(
      resolveMode("222222222222", "dry-run", overrides, ["ou-abcd-11111111", "ou-abcd-22222222", "r-abcd"]).mode,
    ).toBe("off");
    expect(resolveMode("333333333333", "dry-run", overrides, ["ou-abcd-33333333", "r-abcd"]).mode).toBe("dry-run");
  });
  it("unknown OU chain: the least acting candidate", () => {
    expect(resolveMode("333333333333", "enforce", overrides, undefined).mode).toBe("off");
    expect(leastActing(["enforce", "dry-run"])).toBe("dry-run");
  });
});

describe("AWSRevokeOlderSessions merge and removal", () => {
  const NEW = "2026-11-20T10:00:00.000Z";
  const consoleStatement = {
    Effect: "Deny",
    Action: ["*"],
    Resource: ["*"],
    Condition: { DateLessThan: { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" } },
  };

  it("keeps foreign statements and never moves our cutoff earlier", () => {
    const first = mergeRevocation({ Version: "2012-10-17", Statement: [consoleStatement] }, "2026-11-20T10:00:00Z");
    expect(first.Statement).toHaveLength(2);
    expect(first.Statement[0]).toEqual(consoleStatement);
    const earlier = mergeRevocation(first, "2026-11-20T09:00:00Z");
    expect(effectiveCutoff(earlier)!.toISOString()).toBe("2026-11-20T10:00:00.000Z");
    const later = mergeRevocation(first, "2026-11-20T11:00:00Z");
    expect(effectiveCutoff(later)!.toISOString()).toBe("2026-11-20T11:00:00.000Z");
  });

  it("property: the merged cutoff is the max of ours and the new one", () => {
    const date = fc.date({
      min: new Date("2020-01-01T00:00:00Z"),
      max: new Date("2030-01-01T00:00:00Z"),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(fc.array(date, { minLength: 1, maxLength: 5 }), (cutoffs) => {
        let doc = mergeRevocation(undefined, cutoffs[0].toISOString());
        for (const c of cutoffs.slice(1)) doc = mergeRevocation(doc, c.toISOString());
        expect(effectiveCutoff(doc)!.getTime()).toBe(Math.max(...cutoffs.map((c) => c.getTime())));
        expect(doc.Statement.filter((s) => s.Sid === REVOCATION_SID)).toHaveLength(1);
      }),
    );
  });

  it("removal takes only our statement; nothing left means delete", () => {
    const merged = mergeRevocation({ Version: "2012-10-17", Statement: [consoleStatement] }, "2026-11-20T10:00:00Z");
    expect(removeRevocation(merged)).toEqual({
      doc: { Version: "2012-10-17", Statement: [consoleStatement] },
      removed: true,
    });
    expect(removeRevocation(mergeRevocation(undefined, "2026-11-20T10:00:00Z"))).toEqual({
      doc: undefined,
      removed: true,
    });
    expect(removeRevocation({ Version: "2012-10-17", Statement: [consoleStatement] }).removed).toBe(false);
  });

  it("restoring sets our cutoff back, earlier too, and keeps every other statement; ourCutoff reads only ours", () => {
    const later = mergeRevocation({ Version: "2012-10-17", Statement: [consoleStatement] }, "2026-11-20T10:00:00Z");
    expect(ourCutoff(later)!.toISOString()).toBe("2026-11-20T10:00:00.000Z");
    const restored = restoreRevocation(later, new Date("2026-11-20T09:00:00Z"));
    expect(restored).toEqual(
      mergeRevocation({ Version: "2012-10-17", Statement: [consoleStatement] }, "2026-11-20T09:00:00Z"),
    );
    expect(ourCutoff({ Version: "2012-10-17", Statement: [consoleStatement] })).toBeUndefined();
    for (const notAPolicy of [null, undefined, { status: "Active" }, "text"])
      expect(ourCutoff(notAPolicy)).toBeUndefined();
  });

  it("parses IAM's URL-encoded policy documents", () => {
    const doc = parsePolicyDocument(
      encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: consoleStatement })),
    );
    expect(effectiveCutoff(doc)!.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("a deny with extra conditions does not count as a revocation", () => {
    const scoped = {
      ...consoleStatement,
      Condition: { ...consoleStatement.Condition, StringEquals: { "aws:username": "x" } },
    };
    expect(effectiveCutoff({ Version: "2012-10-17", Statement: [scoped] })).toBeUndefined();
  });

  it("a deny whose DateLessThan also tests another key does not count: it may deny nothing", () => {
    // Planted by the principal itself: aws:CurrentTime is never before 2000, so this statement never applies.
    const inert = {
      ...consoleStatement,
      Condition: {
        DateLessThan: { "aws:TokenIssueTime": "2099-01-01T00:00:00Z", "aws:CurrentTime": "2000-01-01T00:00:00Z" },
      },
    };
    expect(effectiveCutoff({ Version: "2012-10-17", Statement: [inert] })).toBeUndefined();
    const merged = mergeRevocation({ Version: "2012-10-17", Statement: [{ ...inert, Sid: REVOCATION_SID }] }, NEW);
    expect(ourCutoff(merged)!.toISOString()).toBe(NEW);
  });
});
