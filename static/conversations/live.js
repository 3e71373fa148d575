// The live conversation page: replays the event log over the WebSocket, then follows it.
// Every timeline item is keyed by its entry id, and events are applied once each, by seq: a
// reconnect resumes after the last seq rendered, so nothing is duplicated or lost.
import { liveSocket } from "./socket.js";
import {
  el,
  errorText,
  FINAL_STATUSES,
  postJSON,
  prettyJSON,
  safeHttpUrl,
  statusBadge,
  STATUS_LABELS,
} from "./util.js";

const state = JSON.parse(document.getElementById("conversation-state").textContent);
const timeline = document.getElementById("timeline");
const connection = document.getElementById("connection");
const pathList = document.getElementById("agent-path");

let lastSeq = 0;
let status = state.status;
let tokens = 0;
let endedAt = state.finishedAt ? new Date(state.finishedAt) : null;
const startedAt = new Date(state.createdAt);

const agents = new Map(state.agents.map((a) => [a.id, a]));
const byName = new Map(state.agents.map((a) => [a.name, a.id]));
const remotes = new Map(Object.entries(state.remotes)); // backend agent id -> local id
const rendered = new Map(Object.entries(state.rendered)); // backend entry id -> safe HTML
const items = new Map(); // entry key -> record
const callsByToolId = new Map(); // tool_call_id -> function call record
const pendingById = new Map(); // pending action id -> record it is shown on
const renderTried = new Set();
let turnRecords = []; // items created since the current turn started running
let currentAgent = state.entryAgent || null;
const visited = [];

// -- agents -----------------------------------------------------------------------------------
function learnRemote(remoteId, name) {
  if (remoteId && name && !remotes.has(remoteId) && byName.has(name)) {
    remotes.set(remoteId, byName.get(name));
  }
}

function agentFor(remoteId) {
  if (remoteId && remotes.has(remoteId)) return remotes.get(remoteId);
  return currentAgent;
}

function chip(localId, fallbackName) {
  const agent = agents.get(localId);
  const name = agent ? agent.name : fallbackName || "agent";
  return el("span", {
    class: "agent-chip",
    style: `--agent: ${agent ? agent.color : "hsl(220 8% 45%)"}`,
    text: name,
  });
}

function visit(localId) {
  if (!localId) return;
  currentAgent = localId;
  if (visited[visited.length - 1] !== localId) visited.push(localId);
  pathList.replaceChildren(
    ...visited.map((id, index) => {
      const li = el("li", {}, chip(id));
      if (index === visited.length - 1) {
        li.classList.add("current");
        li.setAttribute("aria-current", "step");
      }
      return li;
    }),
  );
  const active = document.getElementById("conv-active-agent");
  if (active) active.replaceChildren(chip(localId));
}

// -- timeline items ---------------------------------------------------------------------------
function timeText(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString();
}

function addItem(key, kind, { agent, label, created, extraClass, headChip = true } = {}) {
  let record = items.get(key);
  if (record) return record;
  const agentInfo = agents.get(agent);
  const head = el(
    "div",
    { class: "entry-head" },
    kind === "user" ? el("span", { class: "who", text: label }) : agent && headChip ? chip(agent) : null,
    kind !== "user" && label ? el("span", { class: "entry-label", text: label }) : null,
    created ? el("time", { datetime: created, text: timeText(created) }) : null,
  );
  const body = el("div", { class: "entry-body" });
  const li = el(
    "li",
    {
      class: `entry entry-${kind}${extraClass ? " " + extraClass : ""}`,
      "data-entry": key,
      "data-kind": kind,
      style: agentInfo ? `--agent: ${agentInfo.color}` : null,
    },
    head,
    body,
  );
  timeline.append(li);
  record = { key, kind, li, head, body, agent };
  items.set(key, record);
  turnRecords.push(record);
  return record;
}

function messageItem(data, created) {
  const key = data.id;
  let record = items.get(key);
  if (!record) {
    record = addItem(key, "message", { agent: agentFor(data.agent_id), created });
    record.md = el("div", { class: "md streaming" });
    record.textNode = document.createTextNode(""); // appended to, not rewritten, per delta
    record.md.append(record.textNode);
    record.attachments = el("div", { class: "attachments" });
    record.body.append(record.md, record.attachments);
    record.text = "";
    record.complete = false;
  }
  return record;
}

function fileName(chunk) {
  const name = chunk.file_name || chunk.file_id || "file";
  return chunk.file_type && !name.endsWith(`.${chunk.file_type}`) ? `${name}.${chunk.file_type}` : name;
}

function addChunk(record, chunk) {
  if (chunk.type === "text") {
    appendText(record, chunk.text || "");
  } else if (chunk.type === "tool_file") {
    const name = fileName(chunk);
    const figure = el(
      "figure",
      { class: "file pending-file", "data-file-name": name },
      el("figcaption", { text: `${name} (preparing…)` }),
    );
    record.attachments.append(figure);
  } else if (chunk.type === "tool_reference") {
    const href = safeHttpUrl(chunk.url);
    const title = chunk.title || chunk.url || "reference";
    record.attachments.append(
      el(
        "p",
        { class: "reference" },
        "Source: ",
        href ? el("a", { href, rel: "noopener noreferrer nofollow", target: "_blank", text: title }) : title,
        chunk.tool ? el("span", { class: "muted", text: ` (${chunk.tool})` }) : null,
      ),
    );
  } else {
    record.attachments.append(el("pre", { class: "chunk", text: prettyJSON(chunk) }));
  }
}

function appendText(record, text) {
  record.text += text;
  if (record.textNode.isConnected) record.textNode.appendData(text);
  else record.md.textContent = record.text; // late text after rendering: show it all as text
}

function completeMessages() {
  const missing = [];
  for (const record of items.values()) {
    if (record.kind !== "message" || record.complete) continue;
    record.complete = true;
    record.md.classList.remove("streaming");
    if (rendered.has(record.key)) applyRendered(record);
    else if (!renderTried.has(record.key)) missing.push(record.key);
  }
  if (missing.length) fetchRendered(missing);
}

function applyRendered(record) {
  // Sanitized on the server (markdown-it without raw HTML, then nh3).
  record.md.innerHTML = rendered.get(record.key);
  record.md.classList.add("rendered");
}

async function fetchRendered(ids) {
  ids.forEach((id) => renderTried.add(id));
  try {
    const response = await fetch(`${state.urls.rendered}?ids=${encodeURIComponent(ids.join(","))}`, {
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const html = await response.json();
    for (const [id, value] of Object.entries(html)) {
      rendered.set(id, value);
      const record = items.get(id);
      if (record) applyRendered(record);
    }
  } catch {
    // Plain text stays: it is what the model said, only unformatted.
  }
}

function toolItem(data, created) {
  let record = items.get(data.id);
  if (!record) {
    record = addItem(data.id, "tool", { agent: agentFor(data.agent_id), created });
    record.details = el("details", { class: "tool" });
    record.summary = el("summary", { text: `Tool ${data.name || "execution"}: running…` });
    record.argsPre = el("pre", { class: "code" });
    record.outputBox = el("div");
    record.details.append(
      record.summary,
      el("h4", { text: "Code and arguments" }),
      record.argsPre,
      record.outputBox,
    );
    record.body.append(record.details);
    record.args = "";
    record.name = data.name || "tool";
  }
  return record;
}

function showToolArgs(record) {
  let shown = record.args;
  try {
    const parsed = JSON.parse(record.args);
    if (parsed && typeof parsed.code === "string" && Object.keys(parsed).length === 1) shown = parsed.code;
    else shown = JSON.stringify(parsed, null, 2);
  } catch {
    // still streaming: show the raw text
  }
  record.argsPre.textContent = shown;
}

function toolDone(record, info) {
  record.summary.textContent = `Tool ${record.name}: done`;
  const parts = [];
  const rest = { ...(info || {}) };
  if (typeof rest.code === "string") {
    if (!record.args) record.argsPre.textContent = rest.code;
    delete rest.code;
  }
  if (rest.code_output !== undefined) {
    parts.push(el("h4", { text: "Output" }), el("pre", { class: "code", text: String(rest.code_output) }));
    delete rest.code_output;
  }
  if (Object.keys(rest).length) {
    parts.push(el("h4", { text: "Details" }), el("pre", { class: "code", text: prettyJSON(rest) }));
  }
  record.outputBox.replaceChildren(...parts);
}

function callItem(data, created) {
  let record = items.get(data.id);
  if (!record) {
    record = addItem(data.id, "call", {
      agent: agentFor(data.agent_id),
      label: `calls ${data.name || "a function"}`,
      created,
    });
    record.args = "";
    record.name = data.name || "";
    record.argsPre = el("pre", { class: "args", "aria-label": `Arguments of ${record.name}` });
    record.stateLine = el("p", { class: "call-state muted" });
    record.formBox = el("div");
    record.body.append(el("h4", { text: "Arguments" }), record.argsPre, record.stateLine, record.formBox);
  }
  if (data.tool_call_id) {
    record.toolCallId = data.tool_call_id;
    callsByToolId.set(data.tool_call_id, record);
  }
  return record;
}

// -- pending actions, answered inline ---------------------------------------------------------
function resolveUrl(id) {
  return state.urls.resolve.replace("{id}", id);
}

function functionForm(record, action) {
  const id = `result-${action.id}`;
  const formatId = `format-${action.id}`;
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const textarea = el("textarea", { id, name: "result", rows: 3 });
  const format = el(
    "select",
    { id: formatId, name: "format" },
    el("option", { value: "text", text: "Text" }),
    el("option", { value: "json", text: "JSON" }),
  );
  const button = el("button", { type: "submit", class: "primary", text: "Send result" });
  const form = el(
    "form",
    { class: "answer-form", "aria-label": `Answer ${action.name}`, novalidate: true },
    el("label", { for: id, text: `Result of ${action.name}` }),
    textarea,
    el("label", { for: formatId, text: "Answer as" }),
    format,
    error,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const result = textarea.value;
    if (format.value === "json") {
      try {
        JSON.parse(result);
      } catch (exc) {
        error.textContent = `Result: not valid JSON (${exc.message}).`;
        error.hidden = false;
        return;
      }
    }
    button.disabled = true;
    const reply = await postJSON(resolveUrl(action.id), { result });
    button.disabled = false;
    if (!reply.ok) {
      error.textContent = errorText(reply.data, { result: "Result" });
      error.hidden = false;
    }
  });
  return form;
}

function handoffForm(action) {
  const error = el("p", { class: "error", role: "alert", hidden: true });
  const send = async (decision, button) => {
    button.disabled = true;
    const reply = await postJSON(resolveUrl(action.id), { decision });
    button.disabled = false;
    if (!reply.ok) {
      error.textContent = errorText(reply.data, { decision: "Decision" });
      error.hidden = false;
    }
  };
  const go = el("button", { type: "button", class: "primary", text: `Continue to ${action.name}` });
  const stop = el("button", { type: "button", class: "secondary", text: "Stop here" });
  go.addEventListener("click", () => send("continue", go));
  stop.addEventListener("click", () => send("stop", stop));
  return el("div", { class: "answer-form", role: "group", "aria-label": "Handoff decision" }, go, stop, error);
}

function pendingCreated(action) {
  let record;
  if (action.kind === "function_call") {
    record = callsByToolId.get(action.tool_call_id);
  } else {
    record = [...items.values()].reverse().find((r) => r.kind === "handoff");
  }
  if (!record) return;
  pendingById.set(action.id, record);
  record.li.classList.add("is-pending");
  record.stateLine = record.stateLine || el("p", { class: "call-state muted" });
  record.formBox = record.formBox || el("div");
  if (!record.stateLine.isConnected) record.body.append(record.stateLine, record.formBox);
  record.stateLine.replaceChildren(
    el("strong", {
      text: action.kind === "function_call" ? "Waiting for a result." : "Paused at this handoff (client mode).",
    }),
    " ",
    state.canOperate
      ? "Answer here or in the "
      : "Operators can answer it in the ",
    el("a", { href: state.urls.inbox, text: "inbox" }),
    ".",
  );
  if (state.canOperate) {
    record.formBox.replaceChildren(action.kind === "function_call" ? functionForm(record, action) : handoffForm(action));
  }
}

function pendingResolved(action) {
  const record = pendingById.get(action.id);
  if (!record) return;
  record.li.classList.remove("is-pending");
  record.formBox?.replaceChildren();
  let text;
  if (action.status === "cancelled") text = "Cancelled: the conversation stopped before an answer.";
  else if (action.kind === "handoff") text = `Decision: ${action.result}.`;
  else text = "Answered.";
  record.stateLine?.replaceChildren(text);
}

// -- files ------------------------------------------------------------------------------------
function fileReady(data, created) {
  const url = safeHttpUrl(data.url);
  if (!url) return;
  let figure = [...timeline.querySelectorAll("figure.pending-file")].find(
    (f) => f.dataset.fileName === data.name,
  );
  if (!figure) {
    const record = addItem(`file-${data.id}`, "file", { agent: currentAgent, label: "generated a file", created });
    figure = el("figure", { class: "file" });
    record.body.append(figure);
  }
  figure.classList.remove("pending-file");
  figure.dataset.fileId = data.id;
  const download = el("a", { href: url, download: data.name, text: `Download ${data.name}` });
  const size = el("span", { class: "muted", text: ` (${Math.max(1, Math.round((data.size || 0) / 1024))} kB)` });
  if (String(data.type || "").startsWith("image/")) {
    const img = el("img", { src: `${url}?inline=1`, alt: `Generated image ${data.name}`, loading: "lazy" });
    figure.replaceChildren(img, el("figcaption", {}, download, size));
  } else {
    figure.replaceChildren(el("figcaption", {}, download, size));
  }
}

// -- status -----------------------------------------------------------------------------------
function setStatus(next, data, created) {
  status = next;
  document.getElementById("conv-status").replaceChildren(statusBadge(next));
  const cancel = document.getElementById("cancel-button");
  if (cancel) cancel.hidden = FINAL_STATUSES.has(next);
  if (next === "queued" || next === "running") endedAt = null;
  else endedAt = new Date(created);
  updateDuration();
  updateComposer();
  if (next === "running") turnRecords = [];
  if (next === "failed") {
    for (const record of turnRecords) {
      if (!["message", "tool", "call", "handoff"].includes(record.kind)) continue;
      record.li.classList.add("interrupted");
      record.head.append(el("span", { class: "badge-interrupted", text: "incomplete: the turn failed" }));
    }
    const record = addItem(`status-failed-${lastSeq}`, "error", { label: "The conversation failed", created });
    record.body.append(
      el("p", { text: data.error || "The turn failed." }),
      el("p", {
        class: "muted",
        text: state.canOperate
          ? "What you can do: send a follow-up message below to try again, or start a new conversation from the graph."
          : "An operator can send a follow-up message to try again.",
      }),
    );
  } else if (next === "cancelled") {
    addItem(`status-cancelled-${lastSeq}`, "note", { label: "Cancelled", created });
  }
}

function updateDuration() {
  const node = document.getElementById("conv-duration");
  const end = endedAt || new Date();
  const seconds = Math.max(0, Math.round((end - startedAt) / 1000));
  const minutes = Math.floor(seconds / 60);
  node.textContent = minutes ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
  if (!endedAt) node.textContent += " (running)";
}

function updateComposer() {
  const form = document.getElementById("composer");
  if (!form) return;
  const idle = FINAL_STATUSES.has(status);
  document.getElementById("composer-send").disabled = !idle;
  document.getElementById("composer-hint").textContent = idle
    ? `Continues with the active agent.`
    : status === "awaiting_input"
      ? "Waiting for answers to the pending actions above before it can continue."
      : `The conversation is ${STATUS_LABELS[status].toLowerCase()}; you can write when it is done.`;
}

// -- applying one event -----------------------------------------------------------------------
function apply(message) {
  if (typeof message.seq !== "number" || message.seq <= lastSeq) return; // seen already
  lastSeq = message.seq;
  const data = message.data || {};
  const created = message.created_at;
  switch (message.type) {
    case "message.input": {
      const record = addItem(data.entry || `input-${message.seq}`, "user", {
        label: data.user ? `${data.user} asked` : "User",
        created,
      });
      if (!record.body.childNodes.length) record.body.append(el("div", { class: "plain", text: data.content || "" }));
      break;
    }
    case "agent.handoff.started": {
      learnRemote(data.previous_agent_id, data.previous_agent_name);
      const from = agentFor(data.previous_agent_id);
      const record = addItem(data.id, "handoff", { agent: from, label: "Handoff", created, headChip: false });
      if (!record.to) {
        record.to = el("span", { class: "handoff-to", text: "…" });
        record.body.append(
          el("p", { class: "transition" }, chip(from, data.previous_agent_name), el("span", { class: "arrow", "aria-hidden": "true", text: "→" }), el("span", { class: "visually-hidden", text: " to " }), record.to),
        );
      }
      break;
    }
    case "agent.handoff.done": {
      learnRemote(data.next_agent_id, data.next_agent_name);
      const record =
        items.get(data.id) ||
        addItem(data.id, "handoff", { agent: currentAgent, label: "Handoff", created, headChip: false });
      const next = remotes.get(data.next_agent_id) || byName.get(data.next_agent_name);
      const target = chip(next, data.next_agent_name);
      if (record.to) record.to.replaceChildren(target);
      else record.body.append(target);
      record.li.dataset.to = data.next_agent_name || "";
      visit(next);
      break;
    }
    case "message.output.delta": {
      const record = messageItem(data, created);
      if (typeof data.content === "string") appendText(record, data.content);
      else if (data.content && typeof data.content === "object") addChunk(record, data.content);
      break;
    }
    case "tool.execution.started":
    case "tool.execution.delta": {
      const record = toolItem(data, created);
      record.args += data.arguments || "";
      showToolArgs(record);
      break;
    }
    case "tool.execution.done": {
      toolDone(toolItem(data, created), data.info);
      break;
    }
    case "function.call.delta": {
      const record = callItem(data, created);
      record.args += data.arguments || "";
      record.argsPre.textContent = prettyJSON(record.args);
      break;
    }
    case "pending.created":
      pendingCreated(data);
      break;
    case "pending.resolved":
      pendingResolved(data);
      break;
    case "function.result": {
      const call = callsByToolId.get(data.tool_call_id);
      const record = addItem(data.entry || `result-${message.seq}`, "result", {
        agent: call ? call.agent : currentAgent,
        label: `result of ${data.name || "the function"}`,
        created,
      });
      if (call?.stateLine && !call.li.classList.contains("is-pending")) {
        call.stateLine.textContent = data.user ? `Answered by ${data.user}.` : "Answered automatically.";
      }
      if (!record.body.childNodes.length) {
        record.body.append(
          el("p", { class: "muted", text: data.user ? `Given by ${data.user}` : "Given automatically" }),
          el("pre", { class: "args", text: String(data.result ?? "") }),
        );
      }
      break;
    }
    case "file.ready":
      fileReady(data, created);
      break;
    case "conversation.response.done":
      tokens += Number(data.usage?.total_tokens || 0);
      document.getElementById("conv-tokens").textContent = String(tokens);
      completeMessages();
      break;
    case "conversation.response.error": {
      const record = addItem(`error-${message.seq}`, "error", { label: "The backend reported an error", created });
      record.body.append(el("p", { text: `${data.message || "Unknown error"}${data.code ? ` (code ${data.code})` : ""}` }));
      break;
    }
    case "conversation.status":
      completeMessages();
      setStatus(data.status, data, created);
      break;
    default:
      break;
  }
  timeline.dataset.lastSeq = String(lastSeq);
}

// -- wiring -----------------------------------------------------------------------------------
const CONNECTION_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  forbidden: "You no longer have access to this conversation.",
};

if (state.entryAgent) visit(state.entryAgent);
updateDuration();
updateComposer();
setInterval(() => {
  if (!endedAt) updateDuration();
}, 1000);

const socket = liveSocket({
  path: state.urls.socket,
  query: () => `after=${lastSeq}`,
  onMessage: (message) => {
    apply(message);
    timeline.setAttribute("aria-busy", "false");
  },
  onState: (value) => {
    connection.dataset.state = value;
    connection.textContent = CONNECTION_TEXT[value] || value;
  },
});
window.agentStudioSocket = socket;

const cancel = document.getElementById("cancel-button");
cancel?.addEventListener("click", async () => {
  if (!window.confirm("Cancel this conversation?")) return;
  cancel.disabled = true;
  const reply = await postJSON(state.urls.cancel, {});
  cancel.disabled = false;
  if (!reply.ok) window.alert(errorText(reply.data));
});

const composer = document.getElementById("composer");
composer?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("composer-input");
  const error = document.getElementById("composer-error");
  const button = document.getElementById("composer-send");
  error.hidden = true;
  if (!input.value.trim()) {
    error.textContent = "Message: write a non-empty message.";
    error.hidden = false;
    return;
  }
  button.disabled = true;
  const reply = await postJSON(state.urls.messages, { inputs: input.value });
  if (reply.ok) {
    input.value = "";
  } else {
    error.textContent = errorText(reply.data, { inputs: "Message", agent: "Agent" });
    error.hidden = false;
    updateComposer();
  }
});
