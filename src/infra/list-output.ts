/**
 * A Terraform output whose value is a list. cdktf 0.21 (archived) tests an output's value with
 * Node's util.isArray, which Node 22 deprecates with a warning on stderr (DEP0044) that the cdktf CLI
 * shows as an [ERROR] line; a lazy value is resolved to the same list at synth without that test.
 */
import { Lazy, TerraformOutput } from "cdktf";
import type { Construct } from "constructs";

export function listOutput(scope: Construct, id: string, value: string[], description?: string): TerraformOutput {
  return new TerraformOutput(scope, id, {
    value: Lazy.anyValue({ produce: () => value }),
    ...(description ? { description } : {}),
  });
}
