import { z } from "zod";

/** What remediation may do: nothing, report what it would do, or act. */
export const RemediationModeSchema = z.enum(["off", "dry-run", "enforce"]);
export type RemediationMode = z.infer<typeof RemediationModeSchema>;
