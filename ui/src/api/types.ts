// The API's types as the UI names them. Every body the hub sends or reads, the live feed's
// messages included, is generated from the hub's OpenAPI document (openapi.gen.ts, `npm run
// gen:api`) and only re-exported here, so a change of shape in the hub fails `npm run typecheck`
// wherever the UI has not followed it. What is declared below has no Rust twin: it is the UI's own
// use of the API (URL segments, query filters, which admin table).

export type * from './openapi.gen';
export type {
  Session as LoginResponse, DayStatus as DayClosingCurrent,
  DayCloseRequest as DayClosingRequest, Summary as ReportSummary, ErrorBody as ApiErrorBody,
  ScheduleInput as AudioScheduleInput, PlayerReport as AudioPlayer, Canvas as MenuCanvas,
  PreviewBody as MenuPreviewBody, Restored as BackupRestored, Dashboard as ReportDashboard,
  Heatmap as ReportHeatmap, TopItems as ReportTopItems, Inventory as ReportInventory,
  Utilisation as ReportUtilisation, ClosingsReport as ReportClosings, ForecastReport as ReportForecast,
  SeriesForecast as ReportSeriesForecast,
} from './openapi.gen';

/** `GET /sales` filters: business days (absent: the hub's today), free search, the next page. */
export interface SaleQuery {
  from?: BusinessDay;
  to?: BusinessDay;
  q?: string;
  cursor?: string;
  limit?: number;
}

/** Integer centavos. */
export type Cents = number;
/** Business day in the branch's time zone, "YYYY-MM-DD". */
export type BusinessDay = string;
export type Id = string;

/** Every list route answers `{items: [...]}`. */
export interface ItemList<T> {
  items: T[];
}

/** The timer actions, as the last segment of `POST /timers/{id}/{action}`. */
export type TimerAction = 'start' | 'pause' | 'resume' | 'stop' | 'cancel';

/** The catalogue tables the admin edits (the `entity` of their `catalog.changed` messages). */
export type CatalogEntity = 'product' | 'service' | 'package' | 'branch' | 'user' | 'area' | 'party_package';

/** The query every report route reads. */
export interface ReportFilter {
  from: BusinessDay;
  to: BusinessDay;
  branch_id?: Id;
  open_hours?: number;
}
export type ReportName =
  | 'dashboard' | 'revenue' | 'heatmap' | 'top-products' | 'inventory' | 'utilisation' | 'day-closings' | 'forecast' | 'taxes';
export type ReportExportFormat = 'csv' | 'xlsx' | 'pdf';
