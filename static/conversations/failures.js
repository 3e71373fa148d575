// A failed turn's error as a sentence a person can act on, with the technical text kept for the
// folded details; and the worker's retry notice (backend.retrying) as a line that counts down. The worker's errors (conversations.engine, integrations.mistral.backend) name
// the backend's HTTP status and carry its raw body; this reads them, it does not invent causes.

const HTTP = /^The backend answered HTTP (\d{3}): ([\s\S]*?)(?: \(gave up after (\d+) retries\))?$/;
const RETRIES = / \(gave up after (\d+) retries\)$/;
const afterRetries = (n) => ` It still failed after ${n} ${Number(n) === 1 ? "retry" : "retries"}.`;

function bodyMessage(body) {
  try {
    const parsed = JSON.parse(body);
    const message = parsed?.message ?? parsed?.detail ?? parsed?.error?.message;
    if (typeof message === "string") return message;
    if (Array.isArray(parsed?.detail)) return parsed.detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  } catch {
    // not JSON: the text as it came
  }
  return body.length > 200 ? `${body.slice(0, 200)}…` : body;
}

function statusMeaning(status) {
  if (status === 429) return "turned the request away: too many requests (rate limit)";
  if (status === 401 || status === 403) return "refused the API key";
  if (status === 404) return "does not know the conversation or the agent";
  if (status === 422 || status === 400) return "rejected the request as invalid";
  if (status >= 500) return "had an internal error";
  return `answered with an error`;
}

// -> {sentence, details}: details is the raw text, or "" when the sentence says it all.
export function describeFailure(error) {
  const raw = String(error || "").trim();
  if (!raw) return { sentence: "The turn failed.", details: "" };
  const match = HTTP.exec(raw);
  if (match) {
    const status = Number(match[1]);
    const why = bodyMessage(match[2].trim());
    const retries = match[3] ? afterRetries(match[3]) : "";
    const sentence = `The backend ${statusMeaning(status)} (HTTP ${status})${why ? `: ${why.replace(/\.?$/, ".")}` : "."}${retries}`;
    return { sentence, details: raw };
  }
  const retried = RETRIES.exec(raw);
  const suffix = retried ? afterRetries(retried[1]) : "";
  const text = retried ? raw.slice(0, retried.index) : raw;
  const cut = text.indexOf(" Detail: ");
  if (cut > 0) return { sentence: text.slice(0, cut) + suffix, details: raw };
  const colon = text.indexOf(": ");
  if (text.startsWith("The backend could not be reached") && colon > 0) {
    return { sentence: `The backend could not be reached.${suffix}`, details: raw };
  }
  return { sentence: text + suffix, details: text.length > 160 || suffix ? raw : "" };
}

// "Retrying (3/10) after 503 — next attempt in 4 s", counted from the event's time.
export function retryText(notice, now = Date.now(), createdAt = null) {
  const why = notice.status ? String(notice.status) : notice.reason || "an error";
  const start = createdAt ? new Date(createdAt).getTime() : now;
  const left = Math.ceil((start + (notice.delay_ms || 0) - now) / 1000);
  const when = left > 0 ? `next attempt in ${left} s` : "trying again now";
  return `Retrying (${notice.attempt}/${notice.max_attempts}) after ${why} — ${when}`;
}
