/**
 * A Region the config names that this version does not know: a typo (us-esat-1) passes the config's shape check
 * and silently leaves that Region out of the Athena table, the forwarding rules or agreement deletion. Not an
 * error, because AWS adds Regions (config refuses a Region of another partition than aws.region's).
 */
import { isKnownRegion } from "../../arn/partition";
import { formatPath } from "../../config/load";
import { configuredRegions } from "../../config/schema";
import { lintCheck } from "./check";

export const unknownRegion = lintCheck({
  codes: ["unknown-region"],
  run: ({ guardrail }) =>
    configuredRegions(guardrail.config)
      .filter(({ region }) => !isKnownRegion(region))
      .map(({ path, region }) => ({
        level: "warning" as const,
        code: "unknown-region" as const,
        message: `${formatPath(path)} ${region} is not a region this version knows; if AWS added it, ignore this`,
      })),
});
