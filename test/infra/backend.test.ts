/** Terraform state backends: portable local paths by default, S3 with locking when configured. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../src/config/load";
import { synthApp } from "./helpers";

const STACKS = ["monitor", "organization-policy", "remediation-member-role"];
const stackJson = (outdir: string, stack: string) =>
  JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));

describe("state backend", () => {
  it(
    "defaults to local state at the project root, by a relative path, so synth output is the same in every " +
      "checkout",
    () => {
      const out = synthApp();
      for (const stack of STACKS) {
        const json = stackJson(out, stack);
        expect(json.terraform.backend).toEqual({ local: { path: `../../../terraform.${stack}.tfstate` } });
        // cdktf's implicit local backend would write this machine's absolute path (and the test dir's).
        expect(JSON.stringify(json)).not.toContain(process.cwd());
        expect(JSON.stringify(json)).not.toContain(out);
      }
    },
  );

  it("uses one S3 key per stack, encrypted, with S3-native locking", () => {
    const out = synthApp({
      aws: {
        stateBackend: {
          type: "s3",
          bucket: "org-terraform-state",
          keyPrefix: "security/bedrock-guardrail",
          kmsKeyId: "alias/terraform",
        },
      },
    });
    for (const stack of STACKS) {
      expect(stackJson(out, stack).terraform.backend).toEqual({
        s3: {
          bucket: "org-terraform-state",
          key: `security/bedrock-guardrail/${stack}.tfstate`,
          region: "us-east-1",
          encrypt: true,
          kms_key_id: "alias/terraform",
          use_lockfile: true,
        },
      });
    }
  });

  it("refuses a bad bucket name, naming the key", () => {
    expect(() => synthApp({ aws: { stateBackend: { type: "s3", bucket: "Bad_Bucket" } } })).toThrow(ConfigError);
    expect(() => synthApp({ aws: { stateBackend: { type: "s3", bucket: "Bad_Bucket" } } })).toThrow(
      /aws\.stateBackend\.bucket: must be an S3 bucket name/,
    );
  });
});
