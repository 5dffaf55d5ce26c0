/**
 * Worker-thread entry of `preview`: the scan worker's protocol (setup first, then one file at a
 * time), with the preview as the record evaluator and each file's report sent back with its result.
 */
import { parentPort } from "node:worker_threads";
import { SourceScanner } from "../../detection/scan/scan-source";
import { serveScanTasks } from "../../detection/scan/worker-protocol";
import { Previewer } from "../../policy/preview";
import type { ScpDocument } from "../../policy/types";
import { emptyPreviewReport, type PreviewReportData } from "../../policy/preview-report";
import { type PreviewSourceResult, previewEvaluator } from "./evaluator";

if (parentPort) {
  serveScanTasks(parentPort, "preview worker", ({ guardrail, options, extra }) => {
    let report: PreviewReportData = emptyPreviewReport();
    // The documents come built: building them here would load the action classification in every worker.
    const previewer = new Previewer(guardrail, extra as ScpDocument[]);
    const scanner = new SourceScanner(
      guardrail,
      options,
      previewEvaluator(previewer, () => report),
    );
    // One file at a time (serveScanTasks): the report is that file's.
    return async (path): Promise<PreviewSourceResult> => {
      report = emptyPreviewReport();
      const result = await scanner.scanFile(path);
      return { ...result, preview: report };
    };
  });
}
