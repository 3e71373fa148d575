// Small helpers shared by the pages: CSRF-protected JSON posts and DOM building.

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

export async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: JSON.stringify(body ?? {}),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

// "field: message" for a DRF/ConversationError body, naming the field at fault.
export function errorText(data, labels = {}) {
  if (!data || typeof data !== "object") return "Something went wrong; try again.";
  if (data.detail) return String(data.detail);
  return Object.entries(data)
    .map(([field, messages]) => {
      const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
      return `${labels[field] || field}: ${text}`;
    })
    .join(" ");
}

// el("p", {class: "x", text: "safe text"}, child, ...): text is always set as text, never HTML.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function safeHttpUrl(value) {
  try {
    const url = new URL(String(value), location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

// The statuses as the server defines them (base.html's "conversation-statuses" block): each one's
// label and whether it is final. The pages keep no copy of their own.
function serverStatuses() {
  try {
    return JSON.parse(document.getElementById("conversation-statuses")?.textContent || "[]");
  } catch {
    return [];
  }
}
const STATUSES = serverStatuses();
export const STATUS_LABELS = Object.fromEntries(STATUSES.map((s) => [s.value, s.label]));
export const FINAL_STATUSES = new Set(STATUSES.filter((s) => s.final).map((s) => s.value));

export function statusBadge(status) {
  return el("span", { class: `status status-${status}`, text: STATUS_LABELS[status] || status });
}

export function prettyJSON(value) {
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return value;
    }
  }
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
