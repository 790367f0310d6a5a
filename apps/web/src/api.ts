/** The service's API under the browser session: the cookie authenticates, unsafe requests carry the CSRF token. */

export interface FieldError {
  field: string;
  /** a stable key, translated for the user (messages.ts); `message` is for engineers */
  code?: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  rule?: string;
  errors?: FieldError[];
  workerId?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
  get status(): number {
    return this.problem.status;
  }
}

export interface Session {
  sub: string;
  roles: Role[];
  csrfToken: string;
  expiresAt: string;
  /** the organisation the directory has the user as a member of, with their member roles there */
  organisation?: { organisationId: string; name: string; roles: string[] } | null;
}

export type Role = 'screener' | 'coach' | 'analyst' | 'admin' | 'org-admin';

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => undefined;

export function bindSession(session: Session | null, whenUnauthorized: () => void): void {
  csrfToken = session?.csrfToken ?? null;
  onUnauthorized = whenUnauthorized;
}

export interface RequestOptions {
  /** JSON, or a file (Blob) sent as it is with the `content-type` given in `headers` */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Answer<T> {
  status: number;
  data: T;
  headers: Headers;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const file = options.body instanceof Blob;
  if (options.body !== undefined && !file) headers['content-type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : file ? (options.body as Blob) : JSON.stringify(options.body),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  const text = await res.text();
  const data: unknown = text === '' ? null : parse(text);
  if (!res.ok) {
    const problem: Problem =
      data && typeof data === 'object' ? { ...(data as Problem), status: res.status } : { status: res.status, title: res.statusText || `HTTP ${res.status}` };
    if (res.status === 401 && path !== '/session') onUnauthorized();
    throw new ApiError(problem);
  }
  return { status: res.status, data: data as T, headers: res.headers };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const get = <T>(path: string) => request<T>('GET', path).then((answer) => answer.data);

/** A query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function loadSession(): Promise<Session | null> {
  try {
    return await get<Session>('/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function loginOptions(): Promise<{ oidc: boolean }> {
  try {
    return await get<{ oidc: boolean }>('/login/options');
  } catch {
    return { oidc: false };
  }
}

export async function logout(): Promise<void> {
  await request('POST', '/logout');
}
