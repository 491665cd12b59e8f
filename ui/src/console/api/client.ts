// The console's one door to the cloud: the bearer token, the cloud's {error:{code,message,field}}
// as an ApiError (with the wait of a 429), a 401 sends the page back to sign-in, and one typed
// function per route. Every type comes from schema.d.ts, generated from the cloud's OpenAPI
// document (`npm run gen:cloud-api`), so a change in the cloud the console has not followed fails
// the type check.
import { ApiError } from '../../api/client';
import { filenameOf } from '../../lib/download';
import type { components, paths } from './schema';

export { ApiError };
type S = components['schemas'];
export type Me = S['Me'];
export type Role = S['CloudRole'];
export type SessionAnswer = S['SessionAnswer'];
export type Dashboard = S['Dashboard'];
export type Figures = S['Figures'];
export type BranchFigures = S['BranchFigures'];
export type DayFigures = S['DayFigures'];
export type Heatmap = S['Heatmap'];
export type HeatCell = S['HeatCell'];
export type TopItems = S['TopItems'];
export type TopItem = S['TopItem'];
export type Branch = S['BranchView'];
export type Device = S['DeviceView'];
export type PairingCode = S['PairingCode'];
export type UserView = S['UserView'];
export type UserEdit = S['UserEdit'];
export type Invitation = S['InvitationView'];
export type NewInvitation = S['NewInvitation'];
export type CreatedInvitation = S['CreatedInvitation'];
export type InvitationPreview = S['InvitationPreview'];
export type Alert = S['AlertView'];
export type AlertSettings = S['AlertSettings'];
export type AlertSettingsEdit = S['AlertSettingsEdit'];
export type Booking = S['BookingView'];
export type Closing = S['ClosingView'];
export type CatalogItem = S['CatalogItem'];
export type ProductEdit = S['ProductEdit'];
export type ServiceEdit = S['ServiceEdit'];
export type PackageEdit = S['PackageEdit'];
export type PackageItem = S['PackageItem'];
export type CatalogOverride = S['CatalogOverride'];
export type MenuDesign = S['MenuDesignItem'];
export type OverrideEdit = S['OverrideEdit'];
export type SessionView = S['SessionView'];
export type TotpSetup = S['TotpSetup'];

/** A refused request that says how long to wait (429 with Retry-After, in seconds). */
export class ThrottledError extends ApiError {
  constructor(code: string, message: string, readonly retryAfter: number | null) {
    super(429, code, message);
  }
}

interface Hooks {
  token: () => string | null;
  onUnauthorized: () => void;
}
let hooks: Hooks = { token: () => null, onUnauthorized: () => {} };
export function configureConsoleClient(next: Hooks): void {
  hooks = next;
}

interface Options {
  /** Sign-in and invitations: no token, and their own 401 is an answer, not a lost session. */
  anonymous?: boolean;
}

async function send(method: string, path: string, body: unknown, options: Options): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = options.anonymous ? null : hooks.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (cause) {
    throw new ApiError(0, 'network', String(cause));
  }
}

async function failure(response: Response, options: Options): Promise<ApiError> {
  let err: Partial<S['ErrorDetail']> | undefined;
  try {
    err = ((await response.json()) as Partial<S['ErrorBody']>).error;
  } catch {
    err = undefined;
  }
  if (response.status === 401 && !options.anonymous) hooks.onUnauthorized();
  const code = err?.code ?? (response.status === 401 ? 'unauthorized' : `http_${response.status}`);
  const message = err?.message ?? response.statusText;
  if (response.status === 429) {
    const wait = Number(response.headers.get('Retry-After'));
    return new ThrottledError(code, message, Number.isFinite(wait) && wait > 0 ? wait : null);
  }
  return new ApiError(response.status, code, message, err?.field ?? null);
}

async function call<T>(method: string, path: string, body?: unknown, options: Options = {}): Promise<T> {
  const response = await send(method, path, body, options);
  if (!response.ok) throw await failure(response, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Query strings from the generated parameter types; empty values are left out. */
type Query<P extends keyof paths, M extends 'get'> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : '';
}

export type Period = Query<'/api/v1/reports/branches', 'get'>;
export type ExportFormat = 'csv' | 'xlsx' | 'pdf';
export type TopQuery = Query<'/api/v1/reports/top-products', 'get'>;
export type TopKind = 'product' | 'service' | 'package';
const anonymous = { anonymous: true };

export const cloud = {
  login: (body: S['LoginRequest']) => call<SessionAnswer>('POST', '/auth/login', body, anonymous),
  logout: () => call<void>('POST', '/auth/logout'),
  me: () => call<Me>('GET', '/auth/me'),
  changePassword: (body: S['PasswordChange']) => call<void>('POST', '/auth/password', body),
  sessions: () => call<S['SessionList']>('GET', '/auth/sessions'),
  revokeSession: (id: string) => call<void>('DELETE', `/auth/sessions/${encodeURIComponent(id)}`),
  totpSetup: () => call<TotpSetup>('POST', '/auth/totp/setup'),
  totpEnable: (body: S['TotpConfirm']) => call<void>('POST', '/auth/totp/enable', body),
  totpDisable: (body: S['TotpDisable']) => call<void>('POST', '/auth/totp/disable', body),

  previewInvitation: (token: string) => call<InvitationPreview>('POST', '/invitations/preview', { token }, anonymous),
  acceptInvitation: (body: S['AcceptInvitation']) => call<SessionAnswer>('POST', '/invitations/accept', body, anonymous),
  invitations: () => call<S['InvitationList']>('GET', '/invitations'),
  invite: (body: NewInvitation) => call<CreatedInvitation>('POST', '/invitations', body),
  revokeInvitation: (id: string) => call<void>('DELETE', `/invitations/${encodeURIComponent(id)}`),

  users: () => call<S['UserList']>('GET', '/users'),
  updateUser: (id: string, body: UserEdit) => call<UserView>('PATCH', `/users/${encodeURIComponent(id)}`, body),

  branches: () => call<S['BranchList']>('GET', '/branches'),
  createBranch: (body: S['NewBranch']) => call<Branch>('POST', '/branches', body),
  updateBranch: (id: string, body: S['BranchEdit']) => call<Branch>('PATCH', `/branches/${encodeURIComponent(id)}`, body),
  pairingCode: (id: string) => call<PairingCode>('POST', `/branches/${encodeURIComponent(id)}/pairing-codes`),
  unpair: (id: string, deviceId: string) =>
    call<void>('DELETE', `/branches/${encodeURIComponent(id)}/devices/${encodeURIComponent(deviceId)}`),

  dashboard: (period: Period) => call<Dashboard>('GET', `/reports/branches${qs(period)}`),
  heatmap: (period: Period) => call<Heatmap>('GET', `/reports/heatmap${qs(period)}`),
  topProducts: (query: TopQuery) => call<TopItems>('GET', `/reports/top-products${qs(query)}`),
  closings: (period: Query<'/api/v1/day-closings', 'get'>) => call<S['ClosingList']>('GET', `/day-closings${qs(period)}`),
  bookings: (period: Query<'/api/v1/bookings', 'get'>) => call<S['BookingList']>('GET', `/bookings${qs(period)}`),
  alerts: (filter: Query<'/api/v1/alerts', 'get'>) => call<S['AlertList']>('GET', `/alerts${qs(filter)}`),
  alertSettings: () => call<AlertSettings>('GET', '/alert-settings'),
  saveAlertSettings: (body: AlertSettingsEdit) => call<AlertSettings>('PUT', '/alert-settings', body),

  products: () => call<S['CatalogList']>('GET', '/catalog/products'),
  createProduct: (body: ProductEdit) => call<CatalogItem>('POST', '/catalog/products', body),
  updateProduct: (id: string, body: ProductEdit) => call<CatalogItem>('PATCH', `/catalog/products/${encodeURIComponent(id)}`, body),
  services: () => call<S['CatalogList']>('GET', '/catalog/services'),
  menuDesigns: () => call<S['MenuDesignList']>('GET', '/catalog/menu-designs'),
  createService: (body: ServiceEdit) => call<CatalogItem>('POST', '/catalog/services', body),
  updateService: (id: string, body: ServiceEdit) => call<CatalogItem>('PATCH', `/catalog/services/${encodeURIComponent(id)}`, body),
  packages: () => call<S['CatalogList']>('GET', '/catalog/packages'),
  createPackage: (body: PackageEdit) => call<CatalogItem>('POST', '/catalog/packages', body),
  updatePackage: (id: string, body: PackageEdit) => call<CatalogItem>('PATCH', `/catalog/packages/${encodeURIComponent(id)}`, body),
  overrides: (query: Query<'/api/v1/catalog/overrides', 'get'> = {}) => call<S['OverrideList']>('GET', `/catalog/overrides${qs(query)}`),
  putOverride: (body: OverrideEdit) => call<CatalogOverride>('PUT', '/catalog/overrides', body),

  /** The dashboard as a file, fetched with the bearer (a plain link could not carry it). */
  async dashboardFile(format: ExportFormat, period: Period): Promise<{ blob: Blob; filename: string }> {
    const response = await send('GET', `/reports/branches/file${qs({ format, ...period })}`, undefined, {});
    if (!response.ok) throw await failure(response, {});
    return { blob: await response.blob(), filename: filenameOf(response.headers.get('Content-Disposition'), `tablero.${format}`) };
  },
};
