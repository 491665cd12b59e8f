import { filenameOf, readWithProgress, type DownloadProgress } from '../lib/download';
import type { ApiErrorBody } from './types';

// The one place that speaks HTTP to the hub: adds the bearer token, turns the hub's
// {error:{code,message,field}} into an ApiError, and reports a 401 so the app can go to /login.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
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
  /** Another token than the session's: revoking the one a switch of user replaced. */
  token?: string;
}

/** Sends one request to the hub; a network failure becomes ApiError('network'). */
async function send(method: string, path: string, body: unknown, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  const language = hooks.language?.();
  if (language) headers['Accept-Language'] = language;
  // A Blob (a picture to upload) goes as raw bytes; anything else as JSON.
  const raw = body instanceof Blob;
  if (body !== undefined) headers['Content-Type'] = raw ? body.type || 'application/octet-stream' : 'application/json';
  const token = options.anonymous ? null : (options.token ?? hooks.token());
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  try {
    return await fetch(`${hubOrigin()}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network', String(cause));
  }
}

/** The hub's error answer as an ApiError; a 401 also tells the app (unless logging in). */
function failure(response: Response, json: unknown, options: RequestOptions): ApiError {
  const err = (json as Partial<ApiErrorBody> | undefined)?.error;
  if (response.status === 401 && !options.anonymous && !options.token) hooks.onUnauthorized();
  return new ApiError(
    response.status,
    err?.code ?? (response.status === 401 ? 'unauthorized' : `http_${response.status}`),
    err?.message ?? response.statusText,
    err?.field ?? null,
  );
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, body, options, 'application/json');
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json: unknown = text ? safeJson(text) : undefined;
  if (response.ok) return json as T;
  throw failure(response, json, options);
}

/** A binary answer (a preview PNG, an export file) and its headers; errors as in `request`. */
export async function requestBlob(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ blob: Blob; headers: Headers }> {
  const response = await send(method, path, body, { signal }, '*/*');
  if (response.ok) return { blob: await response.blob(), headers: response.headers };
  throw failure(response, safeJson(await response.text()), {});
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

/** GETs a file (a report export) with the session's token, reporting progress as it arrives. */
export async function download(
  path: string,
  onProgress: (p: DownloadProgress) => void,
): Promise<{ blob: Blob; filename: string }> {
  onProgress({ phase: 'preparing', received: 0, total: null });
  const response = await send('GET', path, undefined, {}, '*/*');
  if (!response.ok) throw failure(response, safeJson(await response.text()), {});
  const blob = await readWithProgress(response, onProgress);
  return { blob, filename: filenameOf(response.headers.get('Content-Disposition'), 'reporte') };
}
