// A small JSON client for the Django REST API: session cookie + CSRF header.

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, { detail: "The server could not be reached." });
  }
  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 300) };
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** A readable one-line message for an API error body. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return String(error && error.message ? error.message : error);
  const body = error.body;
  if (!body) return `The server answered ${error.status}.`;
  if (typeof body.detail === "string") return body.detail;
  return Object.entries(body)
    .filter(([key]) => key !== "current_revision")
    .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(" ") : JSON.stringify(value)}`)
    .join("; ");
}

/** Every item of a paginated list, following `next` (same origin: path and query only). */
export async function listAll(call, path) {
  const out = [];
  let next = path;
  while (next) {
    const page = await call("GET", next);
    if (Array.isArray(page)) return page;
    out.push(...(page?.results || []));
    const url = page?.next ? new URL(page.next, "http://x") : null;
    next = url ? url.pathname + url.search : null;
  }
  return out;
}
