/**
 * The one way the pages reach the API: openapi-fetch over the types generated from the API's OpenAPI document
 * (schema.d.ts, `npm run web:types`). A path, parameter or field the document does not have is a type error.
 *
 * The bearer token is added here from the session (session.tsx), never written to a log or the console.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

let currentToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** The session sets the token it holds; null signs out. */
export function setApiToken(token: string | null): void {
  currentToken = token;
}

/** Called on a 401 for a request that carried a token: the session ends and the page asks to sign in again. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (currentToken && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${currentToken}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) onUnauthorized?.();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** The API's error body (`{ error: { code, message, details? } }`) as one line for the page. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

type ErrorBody = Schemas['Error'];

/**
 * The data of an openapi-fetch answer, or an ApiFailure with the API's code and message (details appended).
 * Use as `const queue = await unwrap(api.GET('/api/v1/reviews', { params: … }))`.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiFailure(0, 'network', 'network');
  }
  const { data, error, response } = result;
  if (response.ok && data !== undefined) return data;
  const body = error as Partial<ErrorBody> | undefined;
  const details = body?.error?.details ?? [];
  const text = [body?.error?.message ?? response.statusText, ...details.map((d) => `${d.path}: ${d.message}`)].join('; ');
  throw new ApiFailure(response.status, body?.error?.code ?? String(response.status), text, details);
}
