// The run page: the step tree (status, timing, agent, output, tokens), each agent step's
// conversation's timeline inline (step-timeline.js: the conversation page's projection and
// timeline), lanes for steps that run side by side. The run's socket says
// when something changed; the tree is then read again from the API (one source of truth).
import { liveSocket } from "../conversations/socket.js";
import { createStepTimeline } from "./step-timeline.js";
import { el, postJSON, statusBadge, errorText } from "../conversations/util.js";
import { LANE_KINDS, stepLabel, stepTree } from "./tree.js";

const state = JSON.parse(document.getElementById("run-state").textContent);
const FINAL = new Set(state.final);
let run = state.run;
let lastSeq = 0;
const timelines = new Map(); // conversation id → its inline timeline (kept across repaints)
const stepsRoot = document.getElementById("steps");
const colors = new Map(state.agents.map((a) => [a.name, a.color])); // applied by agent-colors.js (CSP)

function duration(step) {
  if (!step.started_at) return "";
  const end = step.finished_at ? new Date(step.finished_at) : new Date();
  const seconds = Math.max(0, (end - new Date(step.started_at)) / 1000);
  return `${seconds.toFixed(1)} s`;
}

// The same DOM node each repaint: its stream, socket and open/closed state survive the tree's
// redrawing after every run event.
function timelineOf(node) {
  let timeline = timelines.get(node.conversation);
  if (!timeline) {
    timeline = createStepTimeline({ page: state, step: node, onChange: paintTokens });
    timelines.set(node.conversation, timeline);
  } else {
    timeline.update(node);
  }
  return timeline;
}

// The run's tokens: each step's as its stream moves, the API's for the others.
function paintTokens() {
  let total = 0;
  let estimate = false;
  for (const step of run.steps) {
    const timeline = step.conversation ? timelines.get(step.conversation) : null;
    const counted = timeline ? timeline.tokens() : { total: step.tokens || 0, estimate: 0 };
    total += counted.total;
    estimate ||= counted.estimate > 0;
  }
  document.getElementById("run-tokens").textContent = `${estimate ? "≈ " : ""}${total}`;
}

function stepNode(node, parent) {
  const timeline = node.kind === "agent" && node.conversation ? timelineOf(node) : null;
  const facts = el(
    "div",
    { class: "orch-step-head" },
    el("span", { class: `orch-kind orch-kind-${node.kind}`, text: node.kind }),
    el("code", { class: "orch-path", text: stepLabel(node, parent) }),
    node.agent ? el("span", { class: "agent-chip", "data-agent-color": colors.get(node.agent), text: node.agent }) : null,
    statusBadge(node.status),
    el("span", { class: "muted orch-time", text: duration(node) }),
    timeline ? timeline.tokensNode : node.kind === "agent" ? el("span", { class: "muted orch-tokens", text: `${node.tokens} tokens` }) : null,
    node.attempt > 1 ? el("span", { class: "muted", text: `attempt ${node.attempt}` }) : null,
    node.conversation
      ? el("a", { href: `/conversations/${node.conversation}/`, text: "conversation" })
      : null,
  );
  const body = el("div", { class: "orch-step-body" });
  if (node.detail?.label) body.append(el("p", { class: "muted", text: `Label: ${node.detail.label}` }));
  if (node.detail?.winner) body.append(el("p", { class: "muted", text: `Winner: candidate ${node.detail.winner}` }));
  if (node.error) body.append(el("p", { class: "error", text: node.error }));
  if (timeline) {
    if (node.status === "awaiting_input") {
      const where = state.canOperate ? "Answer it below or in the " : "An operator can answer it in the ";
      body.append(el("p", { class: "orch-pending" }, "Waiting for an answer. ", where, el("a", { href: state.urls.inbox, text: "inbox" }), "."));
    }
    if (node.status === "completed") body.append(el("pre", { class: "orch-output", text: node.output }));
    body.append(timeline.root);
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
  document.getElementById("run").dataset.status = run.status;
  const cancel = document.getElementById("run-cancel");
  if (cancel) cancel.hidden = FINAL.has(run.status);
  const roots = stepTree(run.steps);
  stepsRoot.replaceChildren(...(roots.length ? roots.map((r) => stepNode(r, null)) : [el("p", { class: "muted", text: "No step has started yet." })]));
  paintTokens();
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
