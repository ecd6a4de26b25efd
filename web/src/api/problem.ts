// Errors from the APIs: every one is application/problem+json with a stable `code`.
import type { FieldError, Problem, ProblemCode } from "./types";

/** The code used when no answer came back at all (server down, offline, CORS). */
export const NETWORK_ERROR = "network_error";

/** A problem as the app holds it: the server's (Problem), or a network failure's. */
export interface AppProblem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode | typeof NETWORK_ERROR;
  detail?: string;
  errors?: FieldError[];
  /** Members that depend on the code (`current_version`, `shortages`…). */
  [member: string]: unknown;
}

/** A failed call: the problem the server sent, or one made up for a network failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: AppProblem;

  constructor(status: number, problem: AppProblem) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  get code(): AppProblem["code"] {
    return this.problem.code;
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }

  /** A member that depends on the code (`current_version`, `shortages`…). */
  extra(name: string): unknown {
    return this.problem[name];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFieldError(value: unknown): value is FieldError {
  return (
    isRecord(value) &&
    typeof value.field === "string" &&
    typeof value.code === "string" &&
    typeof value.message === "string"
  );
}

export function isProblem(value: unknown): value is Problem {
  return (
    isRecord(value) &&
    typeof value.code === "string" &&
    typeof value.title === "string" &&
    typeof value.status === "number"
  );
}

/**
 * The ApiError for a failed answer. `body` is what openapi-fetch parsed (JSON, text or
 * undefined); a body that is not a problem still gives an error with the HTTP status.
 */
export function toApiError(response: Response, body: unknown): ApiError {
  if (isProblem(body)) {
    const errors = Array.isArray(body.errors) ? body.errors.filter(isFieldError) : undefined;
    return new ApiError(response.status, { ...body, ...(errors ? { errors } : {}) });
  }
  return new ApiError(response.status, {
    type: "about:blank",
    code: response.status >= 500 ? "internal" : "client_error",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    ...(typeof body === "string" && body ? { detail: body } : {}),
  });
}

export function networkError(cause: unknown): ApiError {
  const error = new ApiError(0, {
    type: "about:blank",
    code: NETWORK_ERROR,
    title: "network error",
    status: 0,
    detail: cause instanceof Error ? cause.message : String(cause),
  });
  return error;
}

/**
 * Turns openapi-fetch's `{ data, error, response }` into the data or a thrown ApiError.
 * `data` may be undefined for 204 answers, hence the `T | undefined` for those callers.
 */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; response: Response }> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw networkError(cause);
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) throw toApiError(response, error);
  return { data: data as T, response };
}

export function isApiError(value: unknown, code?: string): value is ApiError {
  return value instanceof ApiError && (code === undefined || value.code === code);
}
