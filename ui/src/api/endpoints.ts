import { request, requestBlob, uploadBytes } from './client';
import type {
  Branch, BranchCreate, BranchPatch, DayClosing, DayClosingCurrent, DayClosingRequest, ItemList,
  LoginResponse, Package, PackageCreate, PackagePatch, Product, ProductCreate, ProductPatch,
  ExportFormat, JobStatus, MenuDesignBody, MenuDesignView, MenuPreviewBody, ReportSummary, Sale, SaleRequest, Service, ServiceCreate, ServicePatch, StockAdjustment, Timer,
  TimerAction, TimerList, TotemMenu, User, UserCreate, UserPatch,
} from './types';

// Typed wrappers for the routes of docs/api.md, one line each, so pages never build URLs.

const q = (params: Record<string, string | undefined>): string => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, v);
  const s = search.toString();
  return s ? `?${s}` : '';
};

export const auth = {
  login: (username: string, password: string) =>
    request<LoginResponse>('POST', '/auth/login', { username, password }, { anonymous: true }),
  logout: () => request<void>('POST', '/auth/logout'),
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
  ...crud<Product, ProductCreate, ProductPatch>('/products'),
  adjustStock: (id: string, body: StockAdjustment) => request<Product>('POST', `/products/${id}/stock`, body),
};
export const services = crud<Service, ServiceCreate, ServicePatch>('/services');
export const packages = crud<Package, PackageCreate, PackagePatch>('/packages');
export const branches = crud<Branch, BranchCreate, BranchPatch>('/branches');
export const users = crud<User, UserCreate, UserPatch>('/users');

export const sales = {
  create: (body: SaleRequest, idempotencyKey: string) => request<Sale>('POST', '/sales', body, { idempotencyKey }),
  list: (from?: string, to?: string) => request<ItemList<Sale>>('GET', `/sales${q({ from, to })}`),
};

export const timers = {
  list: (states?: string) => request<TimerList>('GET', `/timers${q({ state: states })}`),
  act: (id: string, action: TimerAction) => request<Timer>('POST', `/timers/${id}/${action}`),
  extend: (id: string, minutes: number) => request<Timer>('POST', `/timers/${id}/extend`, { minutes }),
};

export const dayClosings = {
  current: () => request<DayClosingCurrent>('GET', '/day-closings/current'),
  close: (body: DayClosingRequest) => request<DayClosing>('POST', '/day-closings', body),
  list: (from?: string, to?: string) => request<ItemList<DayClosing>>('GET', `/day-closings${q({ from, to })}`),
};

export const reports = {
  summary: (from?: string, to?: string) => request<ReportSummary>('GET', `/reports/summary${q({ from, to })}`),
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

export const images = {
  /** Stores a picture; answers its hash (use it as a reference) and its URL. */
  upload: (file: Blob) => uploadBytes<{ hash: string; url: string; width: number; height: number }>('/images', file),
};
