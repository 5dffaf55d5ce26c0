/**
 * The decision table agrees with the IAM simulator, cell by cell, for the full config and its variants (the
 * proof is described in decision-table-simulation.ts).
 *
 * @slow (thousands of simulated requests)
 */
import { describeSimulatedConfigs } from "./decision-table-simulation";

describeSimulatedConfigs([
  "full",
  "Identity Center pattern ending in _*",
  "short-term API keys denied too",
  "long-term API keys usable, their creation denied",
  "pinned Claude snapshot",
]);
