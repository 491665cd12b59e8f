import { request, requestBlob } from './client';
import type {
  AudioClip, AudioPlayer, AudioSchedule, AudioScheduleInput, AudioSettings, BackupInfo, BackupList, BackupRestored,
  AmendRequest, Branch, BranchInput, DayClosing, DayClosingCurrent, DayClosingRequest, ItemList, MovementRequest, OpenRequest,
  ShiftReport, TillDay, TillFloat, TillMovement, Announcement, Checkout as PickupRecord, CheckoutInput, PickupPreview,
  LoginResponse, Package, Refund, RefundRequest, SalePage, SaleQuery, PackageInput, Product, ProductInput,
  ExportFormat, TimerActionBody, JobStatus, MenuDesignBody, MenuDesignView, MenuPreviewBody, PairRequest, ReportClosings,
  ReportDashboard, ReportFilter, ReportForecast, ReportHeatmap, ReportInventory, ReportSummary, ReportTopItems,
  ReportUtilisation, Sale, SaleRequest, Service, ServiceInput, StockAdjustment, SyncStatus, TaxReport, CourtesiesReport, Timer,
  TimerAction, TimerList, TotemMenu, UploadedImage, User, UserInput,
  AcceptanceInput, ConsentAcceptance, ConsentInput, ConsentVersion, ConsentVersionList, CustomersReport, EraseRequest, Family, FamilyExport, FamilyInput, FamilyList,
  NotifySettings, NotifySettingsInput, Occupancy, RetentionRun,
  Booking, BookingInput, BookingList, BookingPatch, CancelInput, Cancellation, CheckInInput, PartyCheckIn,
  Area, AreaInput, AreaList, BookingSettings, BookingSettingsInput, FeedLink, FeedStatus, PartyPackage, PartyPackageInput, PartyPackageList,
} from './types';

// Typed wrappers for the routes of docs/api.md, one line each, so pages never build URLs.

const q = (params: Record<string, string | undefined>): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, v);
  const s = search.toString();
  return s ? `?${s}` : '';
};

/** Report filters as a query string (`open_hours` only when set). */
export const reportQuery = (f: ReportFilter, extra: Record<string, string | undefined> = {}): string =>
  q({ from: f.from, to: f.to, branch_id: f.branch_id, open_hours: f.open_hours?.toString(), ...extra });

export const auth = {
  login: (username: string, password: string) =>
    request<LoginResponse>('POST', '/auth/login', { username, password }, { anonymous: true }),
  /** The quick switch on a shared desk: answers like a login. */
  pin: (username: string, pin: string) => request<LoginResponse>('POST', '/auth/pin', { username, pin }, { anonymous: true }),
  /** Revokes the session's token, or `token` (the one a switch of user left behind). */
  logout: (token?: string) => request<void>('POST', '/auth/logout', undefined, { token }),
  me: () => request<User>('GET', '/auth/me'),
};

function crud<T, C, P>(base: string) {
  return {
    list: (params: Record<string, string | undefined> = {}) => request<ItemList<T>>('GET', `${base}${q(params)}`),
    get: (id: string) => request<T>('GET', `${base}/${id}`),
    create: (body: C) => request<T>('POST', base, body),
    update: (id: string, body: P) => request<T>('PATCH', `${base}/${id}`, body),
    remove: (id: string) => request<void>('DELETE', `${base}/${id}`),
  };
}

export const products = {
  ...crud<Product, ProductInput, ProductInput>('/products'),
  adjustStock: (id: string, body: StockAdjustment) => request<Product>('POST', `/products/${id}/stock`, body),
};
export const services = crud<Service, ServiceInput, ServiceInput>('/services');
export const packages = crud<Package, PackageInput, PackageInput>('/packages');
export const branches = crud<Branch, BranchInput, BranchInput>('/branches');
export const users = crud<User, UserInput, UserInput>('/users');

/** Families: guardians, children (with their notes), authorised adults, consent. `q` finds a phone
 *  or a name as typed (accents ignored); without it, the most recent visitors. */
export const families = {
  search: (query = '') => request<FamilyList>('GET', `/families${q({ q: query.trim() || undefined })}`),
  get: (id: string) => request<Family>('GET', `/families/${encodeURIComponent(id)}`),
  create: (body: FamilyInput) => request<Family>('POST', '/families', body),
  /** A list sent is the whole list: children left out become inactive. */
  update: (id: string, body: FamilyInput) => request<Family>('PATCH', `/families/${encodeURIComponent(id)}`, body),
  /** Everything held about the family (an access request); super_admin. */
  export: (id: string) => request<FamilyExport>('GET', `/families/${encodeURIComponent(id)}/export`),
  /** Erases names, phones, notes and signatures for good; super_admin. */
  erase: (id: string, body: EraseRequest) => request<Family>('POST', `/families/${encodeURIComponent(id)}/erase`, body),
  /** The guardian accepts the branch's current consent and privacy notice, signed on screen. */
  acceptConsent: (id: string, body: AcceptanceInput) =>
    request<ConsentAcceptance>('POST', `/families/${encodeURIComponent(id)}/consents`, body),
};

/** The consent and privacy notice families accept, one version at a time (newest first). */
export const consents = {
  list: () => request<ConsentVersionList>('GET', '/consents'),
  current: () => request<ConsentVersion>('GET', '/consents/current'),
  publish: (body: ConsentInput) => request<ConsentVersion>('POST', '/consents', body),
};

export const privacy = {
  /** Applies the branch's retention period now (the hub also does it by itself). */
  runRetention: () => request<RetentionRun>('POST', '/privacy/retention'),
};

/** The optional SMS/WhatsApp gateway for guardians' notices (off while the URL is empty). */
export const notifications = {
  get: () => request<NotifySettings>('GET', '/settings/notifications'),
  save: (body: NotifySettingsInput) => request<NotifySettings>('PUT', '/settings/notifications', body),
};

/** Children inside against the venue's capacity, and when places free up. */
export const occupancy = {
  get: () => request<Occupancy>('GET', '/occupancy'),
};

/** Parties' set-up (super_admin writes, the desk reads): the rooms and zones they book, the party
 *  packages, the opening hours and closed days, the hold and refund rules. */
export const areas = {
  list: () => request<AreaList>('GET', '/areas'),
  create: (body: AreaInput) => request<Area>('POST', '/areas', body),
  update: (id: string, body: AreaInput) => request<Area>('PATCH', `/areas/${encodeURIComponent(id)}`, body),
};
export const partyPackages = {
  list: () => request<PartyPackageList>('GET', '/party-packages'),
  create: (body: PartyPackageInput) => request<PartyPackage>('POST', '/party-packages', body),
  update: (id: string, body: PartyPackageInput) => request<PartyPackage>('PATCH', `/party-packages/${encodeURIComponent(id)}`, body),
};
export const bookingSettings = {
  get: () => request<BookingSettings>('GET', '/booking-settings'),
  save: (body: BookingSettingsInput) => request<BookingSettings>('PUT', '/booking-settings', body),
};
/** The parties' calendar for a phone or Google Calendar: a new private link each time (the old one stops working). */
export const bookingsFeed = {
  renew: () => request<FeedLink>('POST', '/bookings/ics-token'),
  /** Whether a link exists and since when (never the link itself). */
  status: () => request<FeedStatus>('GET', '/bookings/ics-token'),
};

/** Parties booked in the calendar: the days asked for (the branch's dates, inclusive), one party,
 *  booking, moving (with the `version` seen: 409 `stale` or `slot_taken`), cancelling, and the
 *  party's check-in at the door (a timer per child under one pick-up code). */
export const bookings = {
  list: (f: { from: string; to: string; area_id?: string; state?: string }) =>
    request<BookingList>('GET', `/bookings${q({ from: f.from, to: f.to, area_id: f.area_id, state: f.state })}`),
  get: (id: string) => request<Booking>('GET', `/bookings/${encodeURIComponent(id)}`),
  create: (body: BookingInput) => request<Booking>('POST', '/bookings', body),
  update: (id: string, body: BookingPatch) => request<Booking>('PATCH', `/bookings/${encodeURIComponent(id)}`, body),
  cancel: (id: string, body: CancelInput) => request<Cancellation>('POST', `/bookings/${encodeURIComponent(id)}/cancel`, body),
  checkIn: (id: string, body: CheckInInput, idempotencyKey: string) =>
    request<PartyCheckIn>('POST', `/bookings/${encodeURIComponent(id)}/check-in`, body, { idempotencyKey }),
};

export const images = {
  /** Stores a picture (its bytes as they are); the answer's `url` goes in `image_url`. */
  upload: (file: Blob) => request<UploadedImage>('POST', '/images', file),
};

export const sales = {
  create: (body: SaleRequest, idempotencyKey: string) => request<Sale>('POST', '/sales', body, { idempotencyKey }),
  list: (from?: string, to?: string) => request<ItemList<Sale>>('GET', `/sales${q({ from, to })}`),
  /** The history: one page of the search (`next_cursor` for the next). */
  search: (f: SaleQuery) =>
    request<SalePage>('GET', `/sales${q({ from: f.from, to: f.to, q: f.q, cursor: f.cursor, limit: f.limit?.toString() })}`),
  get: (id: string) => request<Sale>('GET', `/sales/${encodeURIComponent(id)}`),
  refund: (id: string, body: RefundRequest, idempotencyKey: string) =>
    request<Refund>('POST', `/sales/${encodeURIComponent(id)}/refunds`, body, { idempotencyKey }),
  /** The receipt again, marked COPIA: text for the screen, ESC/POS bytes for a receipt printer. */
  receiptText: async (id: string) => (await requestBlob('GET', `/sales/${encodeURIComponent(id)}/receipt${q({ format: 'text' })}`)).blob.text(),
  receiptEscpos: async (id: string) =>
    new Uint8Array(await (await requestBlob('GET', `/sales/${encodeURIComponent(id)}/receipt${q({ format: 'escpos' })}`)).blob.arrayBuffer()),
  /** A check-in's wristband labels, one per child: text (a blank line between them), or ESC/POS bytes cut after each. */
  wristbandsText: async (id: string) => (await requestBlob('GET', `/sales/${encodeURIComponent(id)}/wristbands${q({ format: 'text' })}`)).blob.text(),
  wristbandsEscpos: async (id: string) =>
    new Uint8Array(await (await requestBlob('GET', `/sales/${encodeURIComponent(id)}/wristbands${q({ format: 'escpos' })}`)).blob.arrayBuffer()),
};

export const refunds = {
  get: (id: string) => request<Refund>('GET', `/refunds/${encodeURIComponent(id)}`),
};

export const timers = {
  list: (states?: string) => request<TimerList>('GET', `/timers${q({ state: states })}`),
  get: (id: string) => request<Timer>('GET', `/timers/${encodeURIComponent(id)}`),
  act: (id: string, action: TimerAction) => request<Timer>('POST', `/timers/${id}/${action}`),
  /** Stops a timer; one with overtime due stops only with the reason it is waived (else 409
   *  `overtime_due`). The hub's document types no stop body, hence the literal. */
  stop: (id: string, waiveReason?: string) =>
    request<Timer>('POST', `/timers/${id}/stop`, waiveReason ? { waive_reason: waiveReason } : undefined),
  /** Time given without a sale (a courtesy): a super_admin's, or with one's `authorization`. */
  giveTime: (id: string, body: TimerActionBody) => request<Timer>('POST', `/timers/${id}/extend`, body),
  /** Names a child on a timer (a party's «Invitado 2…N» once the desk knows who came). */
  rename: (id: string, childName: string) =>
    request<Timer>('PATCH', `/timers/${encodeURIComponent(id)}`, { child_name: childName }),
};

/** Pick-up: the children of a code, then handing them to an adult (stops their timers). */
export const checkouts = {
  preview: (code: string) => request<PickupPreview>('GET', `/checkouts/${encodeURIComponent(code)}`),
  create: (body: CheckoutInput) => request<PickupRecord>('POST', '/checkouts', body),
};

/** A free-text message the speakers read out. */
export const announcements = {
  create: (text: string) => request<Announcement>('POST', '/announcements', { text }),
};

export const dayClosings = {
  current: () => request<DayClosingCurrent>('GET', '/day-closings/current'),
  close: (body: DayClosingRequest) => request<DayClosing>('POST', '/day-closings', body),
  list: (from?: string, to?: string) => request<ItemList<DayClosing>>('GET', `/day-closings${q({ from, to })}`),
  /** A super_admin's correction of a closed day's count: a new record, the closing keeps its own. */
  amend: (id: string, body: AmendRequest) => request<DayClosing>('POST', `/day-closings/${encodeURIComponent(id)}/amendments`, body),
};

/** The cash drawers: a float per till and day, drops and deposits, a clerk's corte X. */
export const till = {
  /** The day's floats and movements of every drawer (default: the drawers' day now). */
  day: (businessDay?: string) => request<TillDay>('GET', `/till${q({ business_day: businessDay })}`),
  open: (body: OpenRequest) => request<TillFloat>('POST', '/till/open', body),
  move: (body: MovementRequest) => request<TillMovement>('POST', '/till/movements', body),
  shift: () => request<ShiftReport>('GET', '/till/shift'),
  /** The signed-in clerk's corte X laid out for the receipt printer's paper. */
  shiftText: async (paper: 58 | 80 = 80) => (await requestBlob('GET', `/till/shift${q({ format: 'text', paper: String(paper) })}`)).blob.text(),
};

export const reports = {
  summary: (from?: string, to?: string) => request<ReportSummary>('GET', `/reports/summary${q({ from, to })}`),
  dashboard: (f: ReportFilter) => request<ReportDashboard>('GET', `/reports/dashboard${reportQuery(f)}`),
  heatmap: (f: ReportFilter) => request<ReportHeatmap>('GET', `/reports/heatmap${reportQuery(f)}`),
  topProducts: (f: ReportFilter, kind?: string) => request<ReportTopItems>('GET', `/reports/top-products${reportQuery(f, { kind })}`),
  inventory: (f: ReportFilter) => request<ReportInventory>('GET', `/reports/inventory${reportQuery(f)}`),
  utilisation: (f: ReportFilter) => request<ReportUtilisation>('GET', `/reports/utilisation${reportQuery(f)}`),
  dayClosings: (f: ReportFilter) => request<ReportClosings>('GET', `/reports/day-closings${reportQuery(f)}`),
  forecast: (f: ReportFilter) => request<ReportForecast>('GET', `/reports/forecast${reportQuery(f)}`),
  /** Each day's sales by IVA rate, refunds netted, for the accountant. */
  taxes: (f: ReportFilter) => request<TaxReport>('GET', `/reports/taxes${reportQuery(f)}`),
  /** Time given away: free extensions and waived overtime, who gave it, who authorised it, why. */
  courtesies: (f: ReportFilter) => request<CourtesiesReport>('GET', `/reports/courtesies${reportQuery(f)}`),
  /** Families: new and returning, visits per family, the month's birthdays, consent coverage. */
  customers: (f: ReportFilter) => request<CustomersReport>('GET', `/reports/customers${reportQuery(f)}`),
  /** The path of an export, for `download` (client.ts). */
  exportPath: (report: string, format: string, f: ReportFilter) => `/reports/export${reportQuery(f, { report, format })}`,
};

export const sync = {
  status: () => request<SyncStatus>('GET', '/sync/status'),
  now: () => request<SyncStatus>('POST', '/sync/now'),
  pair: (body: PairRequest) => request<SyncStatus>('POST', '/sync/pair', body),
};

export const backups = {
  list: () => request<BackupList>('GET', '/backups'),
  take: () => request<BackupInfo>('POST', '/backups'),
  /** Replaces the store's whole database with the backup `name` (a name from `list`). */
  restore: (name: string) => request<BackupRestored>('POST', `/backups/${encodeURIComponent(name)}/restore`),
};

export const menus = {
  ...crud<MenuDesignView, MenuDesignBody, MenuDesignBody>('/menus/designs'),
  /** A saved design's slide with today's catalogue; `v` only names the version wanted. */
  slide: (id: string, slide: number, v = '', signal?: AbortSignal) =>
    requestBlob('GET', `/menus/designs/${id}/preview.png${q({ slide: String(slide), v })}`, undefined, signal),
  /** An unsaved design drawn exactly as the export will be. */
  preview: (body: MenuPreviewBody, signal?: AbortSignal) => requestBlob('POST', '/menus/preview', body, signal),
  export: (id: string, format: ExportFormat, slide = 0) =>
    request<JobStatus>('POST', `/menus/designs/${id}/export`, { format, slide }),
  totem: () => request<TotemMenu>('GET', '/menus/totem'),
};

export const jobs = {
  get: (id: string) => request<JobStatus>('GET', `/jobs/${id}`),
  cancel: (id: string) => request<JobStatus>('DELETE', `/jobs/${id}`),
  file: (id: string) => requestBlob('GET', `/jobs/${id}/file`),
};

export const audio = {
  clips: () => request<ItemList<AudioClip>>('GET', '/audio/clips'),
  upload: (name: string, file: Blob) => request<AudioClip>('POST', `/audio/clips${q({ name })}`, file),
  sound: async (id: string) => (await requestBlob('GET', `/audio/clips/${id}/sound`)).blob,
  removeClip: (id: string) => request<AudioClip>('DELETE', `/audio/clips/${id}`),
  schedules: () => request<ItemList<AudioSchedule>>('GET', '/audio/schedules'),
  createSchedule: (body: AudioScheduleInput) => request<AudioSchedule>('POST', '/audio/schedules', body),
  updateSchedule: (id: string, body: AudioScheduleInput) => request<AudioSchedule>('PUT', `/audio/schedules/${id}`, body),
  removeSchedule: (id: string) => request<AudioSchedule>('DELETE', `/audio/schedules/${id}`),
  settings: () => request<AudioSettings>('GET', '/audio/settings'),
  saveSettings: (body: AudioSettings) => request<AudioSettings>('PUT', '/audio/settings', body),
  players: () => request<ItemList<AudioPlayer>>('GET', '/audio/players'),
};
