// Compile-time contract between the hand-written API types (types.ts) and the hub's own OpenAPI
// document (openapi.gen.ts, from `npm run gen:api`). Nothing here runs: if the hub changes a shape
// the UI relies on, `npm run typecheck` fails on the line that no longer fits.
import type { components } from './openapi.gen';
import type * as Api from './types';

type S = components['schemas'];

/** The hub always writes its nullable fields (as null); the document marks them optional. */
type Present<T> = T extends (infer U)[]
  ? Present<U>[]
  : T extends object
    ? { [K in keyof T]-?: Present<Exclude<T[K], undefined>> }
    : T;

/** Compiles only when A can be used where B is expected. */
type Fits<A extends B, B> = [A, B];

/** What the hub answers fits what the UI reads. */
export type Answers = [
  Fits<Present<S['User']>, Api.User>,
  Fits<Present<S['Session']>, Api.LoginResponse>,
  Fits<Present<S['Branch']>, Api.Branch>,
  Fits<Present<S['Product']>, Api.Product>,
  Fits<Present<S['StockMovement']>, Api.StockMovement>,
  Fits<Present<S['Service']>, Api.Service>,
  Fits<Present<S['Package']>, Api.Package>,
  Fits<Present<S['Sale']>, Api.Sale>,
  Fits<Present<S['Timer']>, Api.Timer>,
  Fits<Present<S['TimerList']>, Api.TimerList>,
  Fits<Present<S['DayStatus']>, Api.DayClosingCurrent>,
  Fits<Present<S['DayClosing']>, Api.DayClosing>,
  Fits<Present<S['Summary']>, Api.ReportSummary>,
  Fits<Present<S['ErrorBody']>, Api.ApiErrorBody>,
  Fits<Present<S['UploadedImage']>, Api.UploadedImage>,
  Fits<Present<S['SyncStatus']>, Api.SyncStatus>,
  Fits<Present<S['AudioClip']>, Api.AudioClip>,
  Fits<Present<S['AudioSchedule']>, Api.AudioSchedule>,
  Fits<Present<S['AudioSettings']>, Api.AudioSettings>,
  Fits<Present<S['PlayerReport']>, Api.AudioPlayer>,
];

/** What the UI sends fits what the hub reads. */
export type Requests = [
  Fits<Api.LoginRequest, S['LoginRequest']>,
  Fits<Api.SaleRequest, S['SaleRequest']>,
  Fits<Api.PairRequest, S['PairRequest']>,
  Fits<Api.TimerExtend, S['ExtendRequest']>,
  Fits<Api.DayClosingRequest, S['DayCloseRequest']>,
  Fits<Api.StockAdjustment, S['StockAdjustment']>,
  Fits<Api.ProductPatch, S['ProductInput']>,
  Fits<Api.ServicePatch, S['ServiceInput']>,
  Fits<Api.PackagePatch, S['PackageInput']>,
  Fits<Api.BranchPatch, S['BranchInput']>,
  Fits<Api.UserPatch, S['UserInput']>,
  Fits<Api.AudioScheduleInput, S['ScheduleInput']>,
  Fits<Api.AudioSettings, S['AudioSettings']>,
];
