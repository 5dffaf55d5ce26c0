/**
 * Every stack asks Terraform for a range of hashicorp/aws versions, not the exact version the cdktf
 * bindings were generated from, so a team can run a current 6.x provider. The range starts at the
 * bindings' version: every argument the stacks write exists there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AWS_PROVIDER_VERSIONS } from "../../src/infra/provider";
import { synthApp } from "./helpers";

const bindings = require("@cdktf/provider-aws/package.json") as { cdktf: { provider: { version: string } } };

describe("AWS provider version range", () => {
  it("is >= the bindings' version and below the next major", () => {
    const version = bindings.cdktf.provider.version;
    const major = Number(version.split(".")[0]);
    expect(AWS_PROVIDER_VERSIONS).toBe(`>= ${version}, < ${major + 1}.0.0`);
  });

  it.each([
    ["default", {}],
    ["real-time", { monitor: { eventbridge: { enabled: true, regions: ["us-east-1"] } } }],
  ])("every stack of the %s app requires the range", (_name, config) => {
    const outdir = synthApp(config);
    try {
      const stacks = fs.readdirSync(path.join(outdir, "stacks"));
      expect(stacks).toHaveLength(3);
      for (const stack of stacks) {
        const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
        expect(json.terraform.required_providers).toEqual({
          aws: { source: "hashicorp/aws", version: AWS_PROVIDER_VERSIONS },
        });
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
