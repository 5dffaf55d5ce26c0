/**
 * What the configured monitor does not run, or not in real time, one line each: check and synth print them among the
 * lint's warnings (the policy layer cannot know them; detection can).
 */
import type { Guardrail } from "../../guardrail/guardrail";
import { realtimeRegionGaps } from "./eventbridge-pattern";
import { rulesOffLogsInsightsMonitor } from "./logs-insights-correlation";

export function monitorGaps(guardrail: Guardrail): string[] {
  return [...rulesOffLogsInsightsMonitor(guardrail), ...realtimeRegionGaps(guardrail)];
}
