/**
 * Runs the preview over local inputs with detect's scanner (framing, pre-filter, gzip, stdin,
 * workers, damaged-input handling): the same files, the same counts, the preview's report instead of
 * findings.
 */
import * as path from "node:path";
import type { Input } from "../../detection/scan/inputs";
import { compiledWorkerFactory } from "../../detection/scan/pool";
import { type ScanOptions, type ScanSummary, scan, startScanPool } from "../../detection/scan/scan";
import type { Guardrail } from "../../guardrail/guardrail";
import { buildScpDocuments } from "../../policy/documents";
import { Previewer } from "../../policy/preview";
import { emptyPreviewReport, mergeReports, type PreviewReportData } from "../../policy/preview-report";
import { type PreviewSourceResult, previewEvaluator } from "./evaluator";

export type PreviewScanOptions = Omit<ScanOptions, "onFinding" | "evaluator" | "onResult" | "includeApproved">;

/** The compiled preview worker; undefined when running from the sources (the scan then stays in this thread). */
const previewWorkerFactory = () => compiledWorkerFactory(path.join(__dirname, "worker.js"));

/** Starts the preview's worker pool for these inputs ahead of loading the guardrail (see startScanPool). */
export function startPreviewPool(inputs: Input[], options: Pick<ScanOptions, "jobs" | "minBytesForWorkers">) {
  const workerFactory = previewWorkerFactory();
  return workerFactory ? startScanPool(inputs, { ...options, workerFactory }) : undefined;
}

export async function previewScan(
  guardrail: Guardrail,
  inputs: Input[],
  options: PreviewScanOptions,
): Promise<{ report: PreviewReportData; summary: ScanSummary }> {
  const report = emptyPreviewReport();
  const workerFactory = options.workerFactory ?? previewWorkerFactory();
  const documents = buildScpDocuments(guardrail);
  const summary = await scan(guardrail, inputs, {
    ...options,
    // Never detect's worker: without the preview's, every file is scanned here.
    workerFactory,
    jobs: workerFactory ? options.jobs : 1,
    workerExtra: documents,
    evaluator: previewEvaluator(new Previewer(guardrail, documents), () => report),
    onResult: (result: PreviewSourceResult) => {
      if (result.preview) mergeReports(report, result.preview);
    },
    onFinding: () => undefined,
  });
  return { report, summary };
}
