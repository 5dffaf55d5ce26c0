/**
 * Worker-thread entry of `preview`: the scan worker's protocol (setup first, then one file at a
 * time), with the preview as the record evaluator and each file's report sent back with its result.
 */
import { parentPort } from "node:worker_threads";
import type { ScanTaskResult, ToScanWorker } from "../../detection/scan/worker";
import { SourceScanner } from "../../detection/scan/scan-source";
import { Previewer } from "../../policy/preview";
import type { ScpDocument } from "../../policy/types";
import { emptyPreviewReport, type PreviewReportData } from "../../policy/preview-report";
import { type PreviewSourceResult, previewEvaluator } from "./evaluator";

if (parentPort) {
  const port = parentPort;
  let scanner: SourceScanner | undefined;
  let report: PreviewReportData = emptyPreviewReport();
  port.on("message", (message: ToScanWorker) => {
    if (message.kind === "setup") {
      const { guardrail, options, extra } = message.setup;
      // The documents come built: building them here would load the action classification in every worker.
      const previewer = new Previewer(guardrail, extra as ScpDocument[]);
      scanner = new SourceScanner(
        guardrail,
        options,
        previewEvaluator(previewer, () => report),
      );
      return;
    }
    if (!scanner) throw new Error("preview worker: a file came before the setup");
    report = emptyPreviewReport();
    void scanner.scanFile(message.path).then((result) => {
      const withPreview: PreviewSourceResult = { ...result, preview: report };
      port.postMessage({ index: message.index, result: withPreview } satisfies ScanTaskResult);
    });
  });
}
