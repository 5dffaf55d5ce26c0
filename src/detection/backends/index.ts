/** The rule compiled for each place it runs outside this process. See README "Detection backends". */
export { BLANK_CHARACTERS, BLANK_CODE_POINTS } from "./blank";
export {
  buildEventPattern,
  CLOUDTRAIL_DETAIL_TYPE,
  eventBridgeEventToRecord,
  eventBridgeSource,
} from "./eventbridge-pattern";
export type { EventPattern, EventToRecord } from "./eventbridge-pattern";
export { BackendInputError, parseInstant, parseWindow } from "./input-error";
export { buildLakeQuery, eventDataStoreId, LAKE_COLUMNS, lakeRowToRecord } from "./lake-sql";
export type { LakeQueryOptions, LakeRow } from "./lake-sql";
export {
  buildLogsInsightsQuery,
  INSIGHTS_FIELDS,
  logsInsightsRowToRecord,
  logsInsightsTimeRange,
  LOGS_INSIGHTS_MAX_LIMIT,
} from "./logs-insights";
export type { InsightsRow, LogsInsightsQueryOptions } from "./logs-insights";
