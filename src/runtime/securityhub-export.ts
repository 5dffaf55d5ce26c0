/**
 * The Security Hub step of a run: the export queue (filled atomically by the claims) -> batches of
 * at most 100 -> BatchImportFindings. An entry leaves the queue only after Security Hub accepted
 * it; one it refused (FailedFindings) or a request that failed as a whole stays queued, with the
 * reason, for the next run. Sending an entry twice (a crash between the import and the dequeue,
 * two overlapping runs) is harmless: the ASFF Id comes from the event ID, so Security Hub updates
 * the one finding. This step never touches the alert states: it cannot lose or repeat an alert.
 */
import { type FindingImporter, type ImportFailure, SECURITY_HUB_BATCH_SIZE } from "../aws/securityhub";
import { errorText } from "../errors/error-text";
import type { ExportItem, StateStore } from "./state/store";

/** A run sends at most this many, so a long Security Hub outage's backlog cannot eat the Lambda's time. */
export const MAX_EXPORTS_PER_RUN = 1000;

export interface ExportCounts {
  /** Accepted by Security Hub this run. */
  imported: number;
  /** Refused this run (FailedFindings, or the whole request failed); still queued. */
  failed: number;
  /** Still queued after this run (failed ones and those beyond this run's limit). */
  queued: number;
  /** Up to 5 reasons, "eventId: code message", to make failures findable in the run summary. */
  errors?: string[];
}

export async function exportToSecurityHub(
  store: StateStore,
  importer: FindingImporter,
  job: string,
  maxPerRun = MAX_EXPORTS_PER_RUN,
): Promise<ExportCounts> {
  const counts: ExportCounts = { imported: 0, failed: 0, queued: 0 };
  const errors: string[] = [];
  const note = (text: string) => {
    if (errors.length < 5) errors.push(text);
  };
  let queue: ExportItem[];
  try {
    // An entry no claim wrote so is skipped, named among the errors, and left in the queue.
    queue = await store.listExports(job, note);
  } catch (e) {
    return { ...counts, errors: [`listing the Security Hub export queue: ${errorText(e)}`] };
  }
  counts.queued = queue.length;
  const batch = queue.slice(0, maxPerRun);
  for (let i = 0; i < batch.length; i += SECURITY_HUB_BATCH_SIZE) {
    const chunk = batch.slice(i, i + SECURITY_HUB_BATCH_SIZE);
    let failures: ImportFailure[];
    try {
      failures = await importer.importFindings(chunk.map((item) => item.finding));
    } catch (e) {
      // The request failed as a whole (throttled past the retries, no access...): all stay queued.
      failures = chunk.map((item) => ({ eventId: item.eventId, code: "RequestFailed", message: errorText(e) }));
    }
    const failedById = new Map(failures.map((f) => [f.eventId, f]));
    try {
      for (const item of chunk) {
        const failure = failedById.get(item.eventId);
        if (failure) {
          counts.failed++;
          const reason = `${failure.code} ${failure.message}`.trim();
          note(`${item.eventId}: ${reason}`);
          await store.recordExportFailure(job, item, reason);
        } else {
          counts.imported++;
          await store.completeExport(job, item);
          counts.queued--;
        }
      }
    } catch (e) {
      // Not recorded: those entries stay queued and are sent again (an update) next run.
      note(`recording the Security Hub export: ${errorText(e)}`);
      break;
    }
    if (failures.length === chunk.length && failures.every((f) => f.code === "RequestFailed")) break;
  }
  return errors.length > 0 ? { ...counts, errors } : counts;
}
