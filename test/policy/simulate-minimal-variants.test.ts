/**
 * The decision table agrees with the IAM simulator, cell by cell, for the minimal config and its variants (the
 * proof is described in decision-table-simulation.ts).
 *
 * @slow (thousands of simulated requests)
 */
import { describeSimulatedConfigs } from "./decision-table-simulation";

describeSimulatedConfigs([
  "minimal",
  "marketplace control off",
  "protection off",
  "API-key controls off",
  "exempted user and admins",
  "approved Marketplace products",
]);
