import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { arnLike } from "../../src/arn/arn-like";
import { resolvePrincipal, type UserIdentityLike } from "../../src/arn/principal";

const samplesDir = path.join(__dirname, "..", "..", "examples", "cloudtrail");
const sample = (name: string): { userIdentity: UserIdentityLike } => {
  const d = JSON.parse(fs.readFileSync(path.join(samplesDir, name), "utf8"));
  return Array.isArray(d.Records) ? d.Records[0] : d;
};

describe("resolvePrincipal on the real samples", () => {
  const samples = fs.readdirSync(samplesDir).filter((f) => f.endsWith(".json"));

  it.each(samples.filter((f) => f.startsWith("stratus__")))(
    "%s: the role ARN (sessionIssuer), not the session ARN",
    (file) => {
      const p = resolvePrincipal(sample(file).userIdentity);
      expect(p).toMatchObject({
        kind: "role",
        principalArn: "arn:aws:iam::494659789341:role/test-role",
        accountId: "494659789341",
        name: "test-role",
        credentialKind: "session",
        accessKeyId: "ASIA6FTSFH98XNF7DFZB",
      });
    },
  );

  it("Panther sample: an Identity Center role keeps its aws-reserved/sso.amazonaws.com/<region>/ path", () => {
    const p = resolvePrincipal(sample("panther_DeleteModelInvocationLoggingConfiguration.json").userIdentity);
    expect(p).toMatchObject({
      kind: "identity-center-role",
      principalArn: "arn:aws:iam::123123123123:role/aws-reserved/sso.amazonaws.com/us-west-2/DevAdmin",
      name: "DevAdmin",
    });
    // The SCP pattern users write for that role matches exactly this ARN.
    expect(arnLike("arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/DevAdmin", p.principalArn!)).toBe(true);
    expect(arnLike("arn:aws:iam::*:role/DevAdmin", p.principalArn!)).toBe(false);
  });

  it("every sample resolves to an ARN that is a valid IAM role ARN, never an sts session ARN", () => {
    for (const f of samples) {
      const p = resolvePrincipal(sample(f).userIdentity);
      expect(p.principalArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    }
  });
});

describe("resolvePrincipal on arbitrary input", () => {
  it("never throws and never invents an ARN from a non-string", () => {
    fc.assert(
      fc.property(fc.anything(), (identity) => {
        const p = resolvePrincipal(identity as UserIdentityLike);
        return p.principalArn === undefined || typeof p.principalArn === "string";
      }),
    );
  });

  it("for AssumedRole records the principal ARN is always the session issuer's ARN", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,20}$/),
        fc.stringMatching(/^([a-z]{1,5}\/){0,2}$/),
        (name, p) => {
          const roleArn = `arn:aws:iam::111122223333:role/${p}${name}`;
          const r = resolvePrincipal({
            type: "AssumedRole",
            arn: `arn:aws:sts::111122223333:assumed-role/${name}/s`,
            sessionContext: { sessionIssuer: { type: "Role", arn: roleArn } },
          });
          return r.principalArn === roleArn;
        },
      ),
    );
  });

  it("root, IAM user and missing issuer", () => {
    expect(resolvePrincipal({ type: "Root", accountId: "111122223333" })).toMatchObject({
      kind: "root",
      principalArn: "arn:aws:iam::111122223333:root",
      credentialKind: "root",
    });
    expect(
      resolvePrincipal({ type: "IAMUser", arn: "arn:aws:iam::111122223333:user/ci", accessKeyId: "AKIAEXAMPLE" }),
    ).toMatchObject({
      kind: "iam-user",
      principalArn: "arn:aws:iam::111122223333:user/ci",
      credentialKind: "long-term-key",
    });
    const noIssuer = resolvePrincipal({ type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/Dev/s" });
    expect(noIssuer.principalArn).toBeUndefined();
    expect(noIssuer.note).toMatch(/role path unknown/);
    expect(
      resolvePrincipal({
        type: "AssumedRole",
        sessionContext: {
          sessionIssuer: {
            arn: "arn:aws:iam::111122223333:role/aws-service-role/bedrock.amazonaws.com/AWSServiceRoleForAmazonBedrock",
          },
        },
      }).kind,
    ).toBe("service-linked-role");
  });
});
