// Every API payload type lives in this one module, written by hand from docs/api.md.
// When the hub serves /api/v1/openapi.json this file is replaced by a generated one,
// so nothing else in the UI may declare the shape of an API body.

export type Cents = number;
/** RFC 3339 UTC instant, e.g. "2026-11-22T18:00:00Z". */
export type Instant = string;
/** Business day in the branch's time zone, "YYYY-MM-DD". */
export type BusinessDay = string;
export type Id = string;

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; field?: string | null };
}

export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'insufficient_stock'
  | 'insufficient_payment'
  | 'invalid_transition'
  | 'day_already_closed'
  | 'idempotency_key_reused'
  | 'too_many_attempts'
  | 'payload_too_large'
  | (string & {});

export interface ItemList<T> {
  items: T[];
}

// ── Auth ────────────────────────────────────────────────────────────────

export type Role = 'super_admin' | 'admin_viewer' | 'reception' | 'kidibar' | 'monitor' | 'totem';

export interface User {
  id: Id;
  username: string;
  display_name: string | null;
  role: Role;
  active: boolean;
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  expires_at: Instant;
  user: User;
}

export interface UserCreate {
  username: string;
  password: string;
  role: Role;
  display_name?: string | null;
}

export type UserPatch = Partial<UserCreate> & { active?: boolean };

// ── Catalogue ───────────────────────────────────────────────────────────

export interface Branch {
  id: Id;
  name: string;
  timezone: string;
  address: string | null;
  allow_negative_stock: boolean;
  capacity: number | null;
}

export type BranchCreate = Omit<Branch, 'id'>;
export type BranchPatch = Partial<BranchCreate>;

export interface Product {
  id: Id;
  name: string;
  category: string | null;
  description: string | null;
  price_cents: Cents;
  cost_cents: Cents | null;
  stock: number;
  low_stock_threshold: number;
  barcode: string | null;
  image_url: string | null;
  active: boolean;
  low_stock: boolean;
}

/** A stored picture (POST /images): `url` is what goes in `image_url`. */
export interface UploadedImage {
  hash: string;
  url: string;
  width: number;
  height: number;
  bytes: number;
  newly_stored: boolean;
}

export type ProductCreate = Omit<Product, 'id' | 'low_stock'>;
export type ProductPatch = Partial<ProductCreate>;

export interface StockAdjustment {
  delta: number;
  reason: string;
}

export interface StockMovement {
  id: Id;
  delta: number;
  reason: string;
  sale_id: Id | null;
  created_at: Instant;
  user_id: Id | null;
}

export interface Service {
  id: Id;
  name: string;
  description: string | null;
  duration_minutes: number;
  price_cents: Cents;
  capacity: number | null;
  active: boolean;
}

export type ServiceCreate = Omit<Service, 'id'>;
export type ServicePatch = Partial<ServiceCreate>;

export interface PackageItem {
  product_id?: Id | null;
  service_id?: Id | null;
  quantity: number;
  name?: string;
}

export interface Package {
  id: Id;
  name: string;
  description: string | null;
  price_cents: Cents;
  active: boolean;
  items: PackageItem[];
}

export type PackageCreate = Omit<Package, 'id'>;
export type PackagePatch = Partial<PackageCreate>;

// ── Sales ───────────────────────────────────────────────────────────────

export type PaymentMethod = 'cash' | 'card' | 'transfer';

export interface Payment {
  method: PaymentMethod;
  amount_cents: Cents;
}

export interface Child {
  name: string;
  guardian_name?: string | null;
  guardian_phone?: string | null;
}

export interface SaleItemRequest {
  product_id?: Id;
  service_id?: Id;
  package_id?: Id;
  quantity: number;
  child?: Child;
  start_at?: Instant;
}

export interface SaleRequest {
  items: SaleItemRequest[];
  payments: Payment[];
  note?: string;
}

export type SaleItemKind = 'product' | 'service' | 'package';

export interface SaleItem {
  kind: SaleItemKind;
  product_id?: Id | null;
  service_id?: Id | null;
  package_id?: Id | null;
  name: string;
  quantity: number;
  unit_price_cents: Cents;
  total_cents: Cents;
  child?: Child | null;
}

export interface Sale {
  id: Id;
  number: number;
  business_day: BusinessDay;
  created_at: Instant;
  user_id: Id;
  total_cents: Cents;
  paid_cents: Cents;
  change_cents: Cents;
  note: string | null;
  items: SaleItem[];
  payments: Payment[];
  timers: Timer[];
}

// ── Timers ──────────────────────────────────────────────────────────────

export type TimerState = 'scheduled' | 'running' | 'paused' | 'expired' | 'finished' | 'cancelled';

export interface Timer {
  id: Id;
  sale_id: Id | null;
  child_name: string;
  guardian_name: string | null;
  guardian_phone: string | null;
  service_id: Id | null;
  service_name: string | null;
  state: TimerState;
  starts_at: Instant | null;
  /** Null while paused. */
  ends_at: Instant | null;
  /** Total play time bought, extensions included. */
  duration_ms: number;
  /** Time left when the hub answered; frozen while paused. */
  remaining_ms: number;
  extended_minutes: number;
  updated_at: Instant;
}

export interface TimerList extends ItemList<Timer> {
  server_time: Instant;
}

export type TimerAction = 'start' | 'pause' | 'resume' | 'stop' | 'cancel';

export interface TimerExtend {
  minutes: number;
}

// ── Day closing ─────────────────────────────────────────────────────────

export interface MethodAmounts {
  cash_cents: Cents;
  card_cents: Cents;
  transfer_cents: Cents;
}

export interface DayClosingCurrent {
  business_day: BusinessDay;
  /** The day was already closed; `closing` is that closing. */
  closed?: boolean;
  closing?: DayClosing | null;
  expected: MethodAmounts;
  sales_count: number;
  total_cents: Cents;
}

export interface DayClosingRequest {
  counted_cash_cents: Cents;
  counted_card_cents?: Cents;
  counted_transfer_cents?: Cents;
  /** Count of pieces keyed by the face value in centavos, e.g. {"50000": 3}. */
  denominations?: Record<string, number>;
  note?: string;
}

export interface DayClosing {
  id: Id;
  business_day: BusinessDay;
  expected: MethodAmounts;
  counted: Partial<MethodAmounts>;
  /** Counted minus expected, per method. */
  differences?: MethodAmounts;
  difference_cents: Cents;
  closed_by: Id | string;
  closed_at: Instant;
  sales_count?: number;
  total_cents?: Cents;
  denominations?: Record<string, number> | null;
  note?: string | null;
}

// ── Reports ─────────────────────────────────────────────────────────────

export interface ReportSummary {
  from: BusinessDay;
  to: BusinessDay;
  revenue_cents: Cents;
  sales_count: number;
  ticket_average_cents: Cents;
  by_type: { services_cents: Cents; products_cents: Cents; packages_cents: Cents };
  by_method: MethodAmounts;
  inventory_value_cents: Cents;
  low_stock: Product[];
  active_timers: number;
}

// ── Live feed ───────────────────────────────────────────────────────────

export type CatalogEntity = 'product' | 'service' | 'package' | 'branch' | 'user';

export type LiveMessage =
  | { type: 'hello'; server_time: Instant; user: User }
  | { type: 'timer.updated'; timer: Timer }
  | { type: 'sale.created'; sale: Sale }
  | { type: 'stock.changed'; product: Product }
  | { type: 'stock.low'; product: Product }
  | { type: 'catalog.changed'; entity: CatalogEntity; id: Id }
  | { type: 'day.closed'; closing: DayClosing }
  | { type: 'job.progress'; job: JobStatus }
  | { type: 'menu.changed'; id: Id }
  | { type: 'resync' };

export type LiveAuthMessage = { type: 'auth'; token: string };

/** The store's link to the cloud (GET /sync/status). */
export interface SyncStatus {
  paired: boolean;
  cloud_url: string | null;
  online: boolean;
  breaker: 'closed' | 'open' | 'half_open';
  consecutive_failures: number;
  last_success_at: Instant | null;
  last_attempt_at: Instant | null;
  next_attempt_at: Instant | null;
  pending_events: number;
  push_cursor: number;
  pull_cursor: number;
  last_error: { code: string; message: string; at: Instant } | null;
  pushed_since_start: number;
  applied_since_start: number;
}

export interface PairRequest {
  cloud_url: string;
  code: string;
  name?: string | null;
}

// ── Menus and jobs ─────────────────────────────────────────────────────
// Taken straight from the hub's OpenAPI document: the design's shape belongs to the renderer
// (crates/media), and restating its dozens of fields here could only drift.

type MenuSchemas = import('./openapi.gen').components['schemas'];
export type MenuDesign = MenuSchemas['MenuDesign'];
export type MenuCanvas = MenuSchemas['Canvas'];
export type PaperSize = MenuSchemas['PaperSize'];
export type ScreenSize = MenuSchemas['ScreenSize'];
export type ShowCents = MenuSchemas['ShowCents'];
export type MenuDesignView = MenuSchemas['MenuDesignView'];
export type MenuDesignBody = MenuSchemas['MenuDesignBody'];
export type MenuPreviewBody = MenuSchemas['PreviewBody'];
export type ExportFormat = MenuSchemas['ExportFormat'];
export type JobStatus = MenuSchemas['JobStatus'];
export type TotemMenu = MenuSchemas['TotemMenu'];
// ── Reports (dashboard, report families, forecast) ───────────────────────
// These bodies are large and change with the reports; they are taken from the hub's generated
// document as they are rather than restated here.
type ReportSchemas = import('./openapi.gen').components['schemas'];
export type ReportDashboard = ReportSchemas['Dashboard'];
export type ReportHeatmap = ReportSchemas['Heatmap'];
export type ReportTopItems = ReportSchemas['TopItems'];
export type ReportInventory = ReportSchemas['Inventory'];
export type ReportUtilisation = ReportSchemas['Utilisation'];
export type ReportClosings = ReportSchemas['ClosingsReport'];
export type ReportForecast = ReportSchemas['ForecastReport'];
export type ReportSeriesForecast = ReportSchemas['SeriesForecast'];
export type ReportName = 'dashboard' | 'revenue' | 'heatmap' | 'top-products' | 'inventory' | 'utilisation' | 'day-closings' | 'forecast';
export type ReportExportFormat = 'csv' | 'xlsx' | 'pdf';
export interface ReportFilter {
  from: BusinessDay;
  to: BusinessDay;
  branch_id?: Id;
  open_hours?: number;
}

// ── Backups ─────────────────────────────────────────────────────────────
// As the hub's document declares them (crates/hub/src/backups.rs, routes/backups.rs).
type BackupSchemas = import('./openapi.gen').components['schemas'];
export type BackupInfo = BackupSchemas['BackupInfo'];
export type BackupList = BackupSchemas['BackupList'];
export type BackupRestored = BackupSchemas['Restored'];

// ── Audio ───────────────────────────────────────────────────────────────

export interface AudioClip {
  id: Id;
  name: string;
  hash: string;
  source_format: string;
  source_lufs: number;
  duration_ms: number;
  loudness_lufs: number;
  true_peak_dbtp: number;
  bytes: number;
  url: string;
  created_at: Instant;
}

export interface AudioScheduleInput {
  name: string;
  clip_id: Id;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  days: number[];
  times: string[];
  every_minutes: number | null;
  window_start: string | null;
  window_end: string | null;
  start_date: BusinessDay | null;
  end_date: BusinessDay | null;
  volume: number;
  enabled: boolean;
}

export interface AudioSchedule extends AudioScheduleInput {
  id: Id;
  created_at: Instant;
  updated_at: Instant;
}

export interface DayPart {
  start: string;
  volume: number;
}

export interface AudioSettings {
  language: 'es' | 'en' | (string & {});
  template: string;
  voice: string;
  quiet_start: string | null;
  quiet_end: string | null;
  day_parts: DayPart[];
  announce_expiry: boolean;
  background_clip_id: Id | null;
  background_volume: number;
}

export interface AudioPlayer {
  name: string;
  state: 'ok' | 'no_device' | 'error' | (string & {});
  output: string;
  connected: boolean;
  last_error: string | null;
  last_announcement: string | null;
  queued: number;
  reported_at: Instant;
}
