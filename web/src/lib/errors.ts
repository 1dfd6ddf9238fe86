// The API's errors, in both families: AdScale `{"detail": "..."}` or a 422 field list, and
// audience-sync `{"error": {"code", "message", "details"}}`.

export type FieldErrors = Record<string, string>;

const LOCATIONS = new Set(["body", "query", "path", "header", "cookie"]);

/** The field a validation problem names: the first name in its `loc` after the request part
 * it came from (a nested `conditions.filters.0.value` is `conditions`). */
function fieldOf(problem: ValidationProblem): string | undefined {
  const { loc } = problem;
  const rest = typeof loc[0] === "string" && LOCATIONS.has(loc[0]) ? loc.slice(1) : loc;
  return rest.find((p): p is string => typeof p === "string");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** One item of a 422's list with its whole `loc` (a nested field: conditions, filters, 0, value). */
export interface ValidationProblem {
  loc: (string | number)[];
  msg: string;
}

/** Every item of a 422's field list, in either API family, `loc` whole (`ApiError.fields`
 * keeps each first field name's first message). */
export function validationProblems(body: unknown): ValidationProblem[] {
  if (!isRecord(body)) return [];
  const envelope = isRecord(body.error) && isRecord(body.error.details) ? body.error.details : {};
  const items = Array.isArray(body.detail) ? body.detail : envelope.errors;
  if (!Array.isArray(items)) return [];
  return items.filter(isRecord).map((item) => ({
    loc: (Array.isArray(item.loc) ? item.loc : []).filter(
      (p): p is string | number => typeof p === "string" || typeof p === "number",
    ),
    msg: (typeof item.msg === "string" ? item.msg : "Invalid value").replace(/^Value error, /, ""),
  }));
}

/** The seconds a `Retry-After` header asks to wait (delay-seconds or an HTTP date), or null. */
export function retryAfterSeconds(
  headers: Pick<Headers, "get"> | undefined,
  now: number = Date.now(),
): number | null {
  const value = headers?.get("Retry-After")?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** "Try again in 40 seconds." / "Try again in 5 minutes." (whole minutes, rounded up). */
export function waitSentence(seconds: number): string {
  if (seconds < 60) return `Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly fields: FieldErrors;
  readonly problems: ValidationProblem[];
  /** A 429's (or 503's) `Retry-After`, in seconds, when the answer had one. */
  readonly retryAfter: number | null;

  constructor(status: number, body: unknown, headers?: Pick<Headers, "get">) {
    const parsed = parseErrorBody(status, body);
    const retryAfter = retryAfterSeconds(headers);
    // A rate limit's message says how long to wait (the gateway's own says only "retry later").
    const message =
      status === 429 && retryAfter
        ? `${parsed.message.replace(/[.!]?$/, ".")} ${waitSentence(retryAfter)}`
        : parsed.message;
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = parsed.code;
    this.fields = parsed.fields;
    this.problems = validationProblems(body);
    this.retryAfter = retryAfter;
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

const STATUS_MESSAGES: Record<number, string> = {
  401: "Your session has ended: sign in again.",
  403: "This is not available on your plan.",
  404: "Not found.",
  429: "Too many requests: wait a moment and try again.",
  502: "A service did not answer: try again.",
  503: "The service is unavailable: try again shortly.",
  504: "The service took too long: try again.",
};

export function parseErrorBody(
  status: number,
  body: unknown,
): { message: string; code: string | null; fields: FieldErrors } {
  const fields: FieldErrors = {};
  let message = STATUS_MESSAGES[status] ?? `Request failed (${status}).`;
  let code: string | null = null;
  const formLevel: string[] = [];
  for (const problem of validationProblems(body)) {
    const field = fieldOf(problem);
    if (field && !(field in fields)) fields[field] = problem.msg;
    else if (!field) formLevel.push(problem.msg);
  }
  if (isRecord(body)) {
    const detail = body.detail;
    const envelope = body.error;
    if (typeof detail === "string") {
      message = detail;
    } else if (Array.isArray(detail)) {
      message = formLevel[0] ?? "Some fields need attention.";
    } else if (isRecord(envelope)) {
      if (typeof envelope.message === "string") message = envelope.message;
      if (typeof envelope.code === "string") code = envelope.code;
    }
  }
  return { message, code, fields };
}

/** Turns an openapi-fetch result into its data, or throws the API's error. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, error, response.headers);
  return data as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

// A plan's limit, in the words of the API's 403s ("Free plan limit reached: …", "API access
// is not available on the Free plan"); the app answers them with the way to upgrade.
const PLAN_LIMIT = /plan limit reached|not available on (the \w+|your) plan/i;

export function isPlanLimitMessage(message: string | null | undefined): boolean {
  return Boolean(message && PLAN_LIMIT.test(message));
}

export function isPlanLimit(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 403 &&
    (error.code === "PLAN_LIMIT_REACHED" || isPlanLimitMessage(error.message))
  );
}
