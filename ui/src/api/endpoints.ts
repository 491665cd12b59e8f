import { fetchBlob, request, uploadBytes } from './client';
import type {
  AudioClip, AudioPlayer, AudioSchedule, AudioScheduleInput, AudioSettings,
  Branch, BranchCreate, BranchPatch, DayClosing, DayClosingCurrent, DayClosingRequest, ItemList,
  LoginResponse, Package, PackageCreate, PackagePatch, Product, ProductCreate, ProductPatch,
  ReportSummary, Sale, SaleRequest, Service, ServiceCreate, ServicePatch, StockAdjustment, Timer,
  TimerAction, TimerList, User, UserCreate, UserPatch,
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

export const audio = {
  clips: () => request<ItemList<AudioClip>>('GET', '/audio/clips'),
  upload: (name: string, file: Blob) => uploadBytes<AudioClip>(`/audio/clips${q({ name })}`, file),
  sound: (id: string) => fetchBlob(`/audio/clips/${id}/sound`),
  removeClip: (id: string) => request<AudioClip>('DELETE', `/audio/clips/${id}`),
  schedules: () => request<ItemList<AudioSchedule>>('GET', '/audio/schedules'),
  createSchedule: (body: AudioScheduleInput) => request<AudioSchedule>('POST', '/audio/schedules', body),
  updateSchedule: (id: string, body: AudioScheduleInput) => request<AudioSchedule>('PUT', `/audio/schedules/${id}`, body),
  removeSchedule: (id: string) => request<AudioSchedule>('DELETE', `/audio/schedules/${id}`),
  settings: () => request<AudioSettings>('GET', '/audio/settings'),
  saveSettings: (body: AudioSettings) => request<AudioSettings>('PUT', '/audio/settings', body),
  players: () => request<ItemList<AudioPlayer>>('GET', '/audio/players'),
};
