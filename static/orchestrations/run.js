// The run page: the step tree (status, timing, agent, output, tokens), each agent step's
// conversation streamed inline, lanes for steps that run side by side. The run's socket says
// when something changed; the tree is then read again from the API (one source of truth).
import { liveSocket } from "../conversations/socket.js";
import { el, postJSON, statusBadge, errorText } from "../conversations/util.js";
import { LANE_KINDS, stepLabel, stepTree } from "./tree.js";

const state = JSON.parse(document.getElementById("run-state").textContent);
const FINAL = new Set(state.final);
let run = state.run;
let lastSeq = 0;
const streams = new Map(); // conversation id → {socket, text, status}
const stepsRoot = document.getElementById("steps");

function duration(step) {
  if (!step.started_at) return "";
  const end = step.finished_at ? new Date(step.finished_at) : new Date();
  const seconds = Math.max(0, (end - new Date(step.started_at)) / 1000);
  return `${seconds.toFixed(1)} s`;
}

function follow(conversationId) {
  if (!conversationId || streams.has(conversationId)) return;
  const stream = { text: "", status: "", socket: null, seq: 0, notes: [] };
  streams.set(conversationId, stream);
  stream.socket = liveSocket({
    path: `/ws/conversations/${conversationId}/`,
    query: () => `after=${stream.seq}`,
    onMessage(message) {
      stream.seq = Math.max(stream.seq, message.seq || 0);
      if (message.type === "message.output.delta" && typeof message.data.content === "string") {
        stream.text += message.data.content;
      } else if (message.type === "conversation.status") {
        stream.status = message.data.status;
        if (FINAL.has(stream.status)) {
          stream.socket?.close();
        }
      } else if (message.type === "pending.created") {
        stream.pending = message.data.name;
        stream.notes.push(`function call ${message.data.name}: waiting in the inbox`);
      } else if (message.type === "pending.resolved") {
        stream.notes.push(`${message.data.name} answered`);
      } else if (message.type === "tool.execution.started") {
        stream.notes.push(`tool ${message.data.name || "?"}`);
      } else if (message.type === "agent.handoff.started") {
        stream.notes.push(`handoff to ${message.data.next_agent_name || "?"}`);
      } else if (message.type === "conversation.response.error") {
        stream.notes.push(`error: ${message.data.message || "?"}`);
      }
      paintStream(conversationId);
    },
  });
}

function paintStream(conversationId) {
  const stream = streams.get(conversationId);
  for (const node of document.querySelectorAll(`[data-stream="${conversationId}"]`)) {
    const notes = stream.notes.map((n) => `[${n}]`).join("\n");
    node.textContent = [notes, stream.text].filter(Boolean).join("\n") || (stream.status ? `(${stream.status})` : "…");
    node.closest(".orch-step")?.querySelector(".orch-pending")?.toggleAttribute("hidden", !stream.pending || stream.status !== "awaiting_input");
  }
}

function stepNode(node, parent) {
  const facts = el(
    "div",
    { class: "orch-step-head" },
    el("span", { class: `orch-kind orch-kind-${node.kind}`, text: node.kind }),
    el("code", { class: "orch-path", text: stepLabel(node, parent) }),
    node.agent ? el("span", { class: "agent-chip", text: node.agent }) : null,
    statusBadge(node.status),
    el("span", { class: "muted orch-time", text: duration(node) }),
    node.kind === "agent" ? el("span", { class: "muted", text: `${node.tokens} tokens` }) : null,
    node.attempt > 1 ? el("span", { class: "muted", text: `attempt ${node.attempt}` }) : null,
    node.conversation
      ? el("a", { href: `/conversations/${node.conversation}/`, text: "conversation" })
      : null,
  );
  const body = el("div", { class: "orch-step-body" });
  if (node.detail?.label) body.append(el("p", { class: "muted", text: `Label: ${node.detail.label}` }));
  if (node.detail?.winner) body.append(el("p", { class: "muted", text: `Winner: candidate ${node.detail.winner}` }));
  if (node.error) body.append(el("p", { class: "error", text: node.error }));
  if (node.kind === "agent" && node.conversation) {
    body.append(
      el("p", { class: "orch-pending", hidden: true, text: "Waiting for an answer in the inbox." }, " ", el("a", { href: "/inbox/", text: "Open the inbox" })),
    );
    if (node.status === "completed") {
      body.append(el("pre", { class: "orch-output", text: node.output }));
    } else {
      body.append(el("pre", { class: "orch-stream", "data-stream": node.conversation, text: "…" }));
      follow(node.conversation);
    }
  } else if (node.status === "completed" && node.output) {
    body.append(el("details", {}, el("summary", { text: "Output" }), el("pre", { class: "orch-output", text: node.output })));
  }
  const children = el("div", { class: LANE_KINDS.has(node.kind) ? "orch-children orch-lanes" : "orch-children" });
  for (const child of node.children) children.append(stepNode(child, node));
  return el("div", { class: `orch-step status-${node.status}`, "data-path": node.path, "data-status": node.status }, facts, body, node.children.length ? children : null);
}

function paint() {
  document.getElementById("run-status").replaceChildren(statusBadge(run.status));
  document.getElementById("run-output").textContent = run.output || "";
  const error = document.getElementById("run-error");
  error.textContent = run.error || "";
  error.hidden = !run.error || run.status === "cancelled";
  document.getElementById("run-tokens").textContent = String(run.steps.reduce((sum, s) => sum + (s.tokens || 0), 0));
  document.getElementById("run").dataset.status = run.status;
  const cancel = document.getElementById("run-cancel");
  if (cancel) cancel.hidden = FINAL.has(run.status);
  const roots = stepTree(run.steps);
  stepsRoot.replaceChildren(...(roots.length ? roots.map((r) => stepNode(r, null)) : [el("p", { class: "muted", text: "No step has started yet." })]));
  for (const id of streams.keys()) paintStream(id);
}

let refreshing = null;
async function refresh() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    const response = await fetch(`/api/orchestration-runs/${run.id}/`, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) {
      run = await response.json();
      paint();
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

const connection = document.getElementById("connection");
liveSocket({
  path: `/ws/orchestration-runs/${run.id}/`,
  query: () => `after=${lastSeq}`,
  onMessage(message) {
    lastSeq = Math.max(lastSeq, message.seq || 0);
    refresh();
  },
  onState(value) {
    connection.dataset.state = value;
    connection.textContent = { live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…", forbidden: "No access" }[value] || value;
  },
});

document.getElementById("run-cancel")?.addEventListener("click", async (event) => {
  event.target.disabled = true;
  const result = await postJSON(`/api/orchestration-runs/${run.id}/cancel/`, {});
  event.target.disabled = false;
  if (result.ok) {
    run = result.data;
    paint();
  } else {
    const error = document.getElementById("run-error");
    error.textContent = errorText(result.data);
    error.hidden = false;
  }
});

// Durations of running steps tick.
setInterval(() => {
  for (const node of document.querySelectorAll('.orch-step[data-status="running"] > .orch-step-head .orch-time')) {
    const step = run.steps.find((s) => s.path === node.closest(".orch-step").dataset.path);
    if (step) node.textContent = duration(step);
  }
}, 1000);

paint();
