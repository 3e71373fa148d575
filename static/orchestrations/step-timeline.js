// One agent step's conversation, inline on the run page: the conversation page's own parts, per
// step. Its events go through the one projection (projection.js) and the timeline (timeline.js)
// draws the entries they changed; answers.js answers a function call in place; the history
// loader (loader.js) and the replaying socket (socket.js, ?after=) bring the events, each applied
// once by seq. Nothing here reads events into entries itself.
import { createAnswers } from "../conversations/answers.js";
import { describeFailure } from "../conversations/failures.js";
import { loadHistory } from "../conversations/loader.js";
import { Projection } from "../conversations/projection.js";
import { liveSocket } from "../conversations/socket.js";
import { createTimeline } from "../conversations/timeline.js";
import { estimatedTokens } from "../conversations/usage.js";
import { el } from "../conversations/util.js";

const CONVERSATION_FINAL = new Set(["completed", "failed", "cancelled"]);
const LINGER_MS = 2000; // a finished conversation's socket stays a moment for trailing events

// page: the run page's state (agents, remotes, canOperate, urls). step: the run API's step.
// onChange(): after anything changed what the step shows (its tokens above all).
export function createStepTimeline({ page, step, onChange = () => {} }) {
  const id = step.conversation;
  const entryAgent = page.agents.find((a) => a.name === step.agent)?.id || "";
  const state = {
    agents: page.agents,
    remotes: page.remotes,
    rendered: {},
    entryAgent,
    canOperate: page.canOperate,
    urls: { rendered: `/conversations/${id}/rendered/`, resolve: page.urls.resolve, inbox: page.urls.inbox },
  };
  const entryRemote = Object.entries(page.remotes).find(([, local]) => local === entryAgent)?.[0] || null;
  const projection = new Projection({ activeAgentId: entryRemote, activeAgentName: step.agent || null });
  // Not announced token by token: the steps' region above says what changed.
  const list = el("ol", { class: "timeline orch-timeline", "data-conversation": id, "aria-busy": "true", "aria-live": "off" });
  const pathList = el("ol", { class: "agent-path orch-agent-path", "aria-label": "Agents of this step" });
  const summaryState = el("span", { class: "muted orch-timeline-state", text: "" });
  const root = el(
    "details",
    { class: "orch-conversation", "data-conversation": id },
    el("summary", {}, "Conversation ", summaryState),
    pathList,
    list,
  );
  // Open while the step runs; a finished step's timeline waits for a click (and loads then).
  root.open = !CONVERSATION_FINAL.has(step.status);
  const tokensNode = el("span", { class: "muted orch-tokens", "data-step-tokens": id });
  const timeline = createTimeline({ state, root: list, pathList, projection });
  const answers = createAnswers({ state, timeline });
  let apiTokens = step.tokens || 0;
  let stepFinal = CONVERSATION_FINAL.has(step.status);
  let started = false;
  let socket = null;

  function tokens() {
    const estimate = estimatedTokens(projection);
    return { total: Math.max(apiTokens, projection.totalUsage.total_tokens) + estimate, estimate };
  }

  function drawTokens() {
    const { total, estimate } = tokens();
    tokensNode.textContent = `${estimate ? "≈ " : ""}${total} tokens`;
    tokensNode.title = estimate ? `${estimate} while the reply streams` : "As the backend reported";
    tokensNode.dataset.tokens = String(total);
  }

  function note(key, kind, label, created, ...body) {
    const record = timeline.addItem(key, kind, { label, created });
    if (!record.body.childNodes.length) record.body.append(...body);
  }

  // What an applied event draws: live.js's show(), without the page around the timeline.
  function show(message, change) {
    for (const key of change.changed) timeline.drawEntry(key, message);
    const data = message.data || {};
    const created = message.created_at;
    if (message.type === "pending.created") answers.created(data);
    else if (message.type === "pending.resolved") answers.resolved(data);
    else if (message.type === "file.ready") timeline.fileReady(data, created);
    else if (message.type === "conversation.response.done") timeline.completeMessages();
    else if (message.type === "conversation.response.error") {
      const text = `${data.message || "Unknown error"}${data.code ? ` (code ${data.code})` : ""}`;
      note(`error-${message.seq}`, "error", "The backend reported an error", created, el("p", { text }));
    } else if (message.type === "conversation.status") {
      timeline.completeMessages();
      timeline.markInterrupted(change.dropped);
      summaryState.textContent = `(${data.status.replace("_", " ")})`;
      root.dataset.status = data.status;
      if (data.status === "failed") {
        const failure = describeFailure(data.error);
        note(`status-failed-${message.seq}`, "error", "The step's conversation failed", created, el("p", { class: "failure-sentence", text: failure.sentence }));
      } else if (data.status === "cancelled") {
        note(`status-cancelled-${message.seq}`, "note", "Cancelled", created);
      }
      if (CONVERSATION_FINAL.has(data.status)) setTimeout(() => socket?.close(), LINGER_MS);
    }
    list.dataset.lastSeq = String(projection.lastSeq);
    drawTokens();
    onChange();
  }

  function follow() {
    socket = liveSocket({
      path: `/ws/conversations/${id}/`,
      query: () => `after=${projection.lastSeq}`,
      onMessage(message) {
        const change = projection.apply(message);
        if (change) show(message, change);
        list.setAttribute("aria-busy", "false");
      },
    });
  }

  function start() {
    if (started) return;
    started = true;
    const history = `/api/conversations/${id}/history/`;
    loadHistory({ url: history, state, projection, timeline, show }).then(
      (fromRest) => {
        list.setAttribute("aria-busy", "false");
        list.dataset.history = "done";
        drawTokens();
        // A finished step's whole log is in the history; one still going follows the live tail.
        if (!(fromRest && stepFinal)) follow();
      },
      () => {
        list.setAttribute("aria-busy", "false");
        list.append(el("li", { class: "error", text: "Could not load this step's conversation; reload the page." }));
      },
    );
  }

  root.addEventListener("toggle", () => {
    if (root.open) start();
  });
  if (root.open) start();
  drawTokens();

  return {
    root,
    tokensNode,
    tokens, // {total, estimate}: the step's tokens so far, and how many of them are estimated
    // The run API's view of the step, after each refresh.
    update(next) {
      apiTokens = next.tokens || 0;
      stepFinal = CONVERSATION_FINAL.has(next.status);
      drawTokens();
    },
  };
}
