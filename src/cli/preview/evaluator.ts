/**
 * The preview as a scan's record evaluator: every record the pre-filter lets through is previewed
 * and added to a report. In a worker the report is per file and travels back with the file's result
 * (`preview`), where the main thread merges it; in this thread the scan adds to the main report.
 */
import type { RecordEvaluator } from "../../detection/scan/record-evaluator";
import type { SourceResult } from "../../detection/scan/source-result";
import type { Previewer } from "../../policy/preview";
import { addToReport, type PreviewReportData } from "../../policy/preview-report";

/** A scan result with the preview of its records (worker threads only). */
export type PreviewSourceResult = SourceResult & { preview?: PreviewReportData };

export function previewEvaluator(previewer: Previewer, report: () => PreviewReportData): RecordEvaluator {
  return {
    scope: { rules: previewer.scope() },
    evaluate(record) {
      addToReport(report(), previewer.previewRecord(record));
      return undefined;
    },
  };
}
