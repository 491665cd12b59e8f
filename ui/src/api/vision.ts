import { request, requestBlob } from './client';
import type { components } from './openapi.gen';

// The totem's visitor counter: shapes straight from the hub's OpenAPI document, so they cannot drift.

type S = components['schemas'];
export type VisitorsReport = S['VisitorsReport'];
export type VisionStatus = S['VisionStatus'];
export type VisionState = S['VisionState'];
export type Shift = S['Shift'];

const range = (from?: string, to?: string) => {
  const search = new URLSearchParams();
  if (from) search.set('from', from);
  if (to) search.set('to', to);
  const s = search.toString();
  return s ? `?${s}` : '';
};

export const vision = {
  report: (from?: string, to?: string) => request<VisitorsReport>('GET', `/reports/visitors${range(from, to)}`),
  status: () => request<{ items: VisionStatus[] }>('GET', '/vision/status'),
  shifts: () => request<{ items: Shift[] }>('GET', '/vision/shifts'),
  saveShifts: (items: Shift[]) => request<{ items: Shift[] }>('PUT', '/vision/shifts', { items }),
};

/** The camera's newest annotated frame (JPEG), or ApiError 404 `preview_not_ready` until it sends one. */
export async function cameraPreview(deviceId: string, signal?: AbortSignal): Promise<Blob> {
  return (await requestBlob('GET', `/vision/preview/${encodeURIComponent(deviceId)}`, undefined, signal)).blob;
}
