import type { ApiErrorBody, ErrorCode } from './types';

// The one place that speaks HTTP to the hub: adds the bearer token, turns the hub's
// {error:{code,message,field}} into an ApiError, and reports a 401 so the app can go to /login.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ClientHooks {
  token: () => string | null;
  onUnauthorized: () => void;
  /** The UI's language, sent as Accept-Language so the hub can word its messages to match. */
  language?: () => string;
}

let hooks: ClientHooks = { token: () => null, onUnauthorized: () => {} };

export function configureClient(next: ClientHooks): void {
  hooks = next;
}

/** The hub serving this page; the desktop shell may later point it elsewhere. */
export function hubOrigin(): string {
  return globalThis.location?.origin ?? '';
}

export interface RequestOptions {
  idempotencyKey?: string;
  /** Login must not bounce to /login on its own 401. */
  anonymous?: boolean;
  signal?: AbortSignal;
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const language = hooks.language?.();
  if (language) headers['Accept-Language'] = language;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = options.anonymous ? null : hooks.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;

  let response: Response;
  try {
    response = await fetch(`${hubOrigin()}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network', String(cause));
  }

  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json: unknown = text ? safeJson(text) : undefined;
  if (response.ok) return json as T;

  const err = (json as Partial<ApiErrorBody> | undefined)?.error;
  const apiError = new ApiError(
    response.status,
    err?.code ?? (response.status === 401 ? 'unauthorized' : `http_${response.status}`),
    err?.message ?? response.statusText,
    err?.field ?? null,
  );
  if (response.status === 401 && !options.anonymous) hooks.onUnauthorized();
  throw apiError;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A fresh Idempotency-Key: one per payment attempt, reused if the clerk retries it. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** Sends a file's raw bytes (uploads of pictures and sounds), with the same errors as `request`. */
export async function uploadBytes<T>(path: string, file: Blob): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream' };
  const token = hooks.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`${hubOrigin()}/api/v1${path}`, { method: 'POST', headers, body: file });
  } catch (cause) {
    throw new ApiError(0, 'network', String(cause));
  }
  const text = await response.text();
  const json: unknown = text ? safeJson(text) : undefined;
  if (response.ok) return json as T;
  const err = (json as Partial<ApiErrorBody> | undefined)?.error;
  if (response.status === 401) hooks.onUnauthorized();
  throw new ApiError(response.status, err?.code ?? `http_${response.status}`, err?.message ?? response.statusText, err?.field ?? null);
}

/** Fetches an authenticated binary (a clip's sound for preview) as a Blob. */
export async function fetchBlob(path: string): Promise<Blob> {
  const token = hooks.token();
  const response = await fetch(`${hubOrigin()}/api/v1${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new ApiError(response.status, `http_${response.status}`, response.statusText);
  return response.blob();
}
