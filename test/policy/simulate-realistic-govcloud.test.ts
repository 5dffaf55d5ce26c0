/**
 * The decision table agrees with the IAM simulator, cell by cell, for the realistic (several documents),
 * GovCloud and unprotected configs (the proof is described in decision-table-simulation.ts).
 *
 * @slow (thousands of simulated requests)
 */
import { describeSimulatedConfigs } from "./decision-table-simulation";

describeSimulatedConfigs(["realistic", "GovCloud", "guardrail protection off, Claude Platform allowed"]);
