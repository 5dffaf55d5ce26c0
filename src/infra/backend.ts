/**
 * Each stack's Terraform state backend, from config `aws.stateBackend`. cdktf's implicit local
 * backend writes the absolute path of the machine that synthesized, so synth output would differ
 * between checkouts; the local path here is relative to the stack's directory
 * (cdktf.out/stacks/<stack>/), which puts the state at the project root, where cdktf keeps it too.
 */
import { LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import type { StateBackend } from "../config/sections/aws";

export function configureBackend(
  stack: TerraformStack,
  stackName: string,
  backend: StateBackend,
  defaultRegion: string,
): void {
  if (backend.type === "local") {
    new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
    return;
  }
  new S3Backend(stack, {
    bucket: backend.bucket,
    key: `${backend.keyPrefix}/${stackName}.tfstate`,
    region: backend.region ?? defaultRegion,
    encrypt: true,
    ...(backend.kmsKeyId ? { kmsKeyId: backend.kmsKeyId } : {}),
  });
  // S3-native state locking (Terraform 1.10+); cdktf 0.21's typed config predates the option.
  stack.addOverride("terraform.backend.s3.use_lockfile", true);
}
