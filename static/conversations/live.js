// The live conversation page: replays the event log over the WebSocket, then follows it. The
// events go through the one projection (projection.js) and the timeline (timeline.js) draws the
// entries it changed. The projection applies each event once, by seq: a reconnect resumes after
// the last seq applied, so nothing is duplicated or lost.
import { createAnswers } from "./answers.js";
import { describeFailure } from "./failures.js";
import { createLivePanels } from "./live-panels.js";
import { loadHistory } from "./loader.js";
import { Projection } from "./projection.js";
import { liveSocket } from "./socket.js";
import { createTimeline } from "./timeline.js";
import { el, errorText, FINAL_STATUSES, postJSON, statusBadge, STATUS_LABELS } from "./util.js";

const state = JSON.parse(document.getElementById("conversation-state").textContent);
const timelineRoot = document.getElementById("timeline");
const connection = document.getElementById("connection");

let status = state.status;
let endedAt = state.finishedAt ? new Date(state.finishedAt) : null;
const startedAt = new Date(state.createdAt);

// The conversation starts with its entry agent: its backend id, if synced, names the agent of
// what comes before the first handoff.
const entryRemote = Object.entries(state.remotes).find(([, local]) => local === state.entryAgent)?.[0] || null;
const projection = new Projection({
  activeAgentId: entryRemote,
  activeAgentName: state.agents.find((a) => a.id === state.entryAgent)?.name || null,
});
const timeline = createTimeline({
  state,
  root: timelineRoot,
  pathList: document.getElementById("agent-path"),
  projection,
});
const answers = createAnswers({ state, timeline });
const panels = createLivePanels({ state, projection });

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
  showConnection();
  if (next === "failed") {
    const record = timeline.addItem(`status-failed-${projection.lastSeq}`, "error", { label: "The conversation failed", created });
    const failure = describeFailure(data.error);
    record.body.append(
      el("p", { class: "failure-sentence", text: failure.sentence }),
      failure.details
        ? el("details", { class: "failure-details" }, el("summary", { text: "Technical details" }), el("pre", { text: failure.details }))
        : null,
      el("p", {
        class: "muted",
        text: state.canOperate
          ? "What you can do: send a follow-up message below to try again, or start a new conversation from the graph."
          : "An operator can send a follow-up message to try again.",
      }),
    );
  } else if (next === "paused") {
    // A budget was reached (the iteration loop's budgets): say why, and who can resume it.
    const record = timeline.addItem(`status-paused-${projection.lastSeq}`, "note", { label: "Paused at its budget", created });
    record.body.append(el("p", { text: data.error || "A budget was reached." }));
  } else if (next === "cancelled") {
    timeline.addItem(`status-cancelled-${projection.lastSeq}`, "note", { label: "Cancelled", created });
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
  const change = projection.apply(message);
  if (!change) return; // seen already
  show(message, change);
}

// What an applied event draws; the history loader calls it for the logged notes it brings.
function show(message, change) {
  for (const key of change.changed) timeline.drawEntry(key, message);
  const data = message.data || {};
  const created = message.created_at;
  switch (message.type) {
    case "pending.created":
      answers.created(data);
      break;
    case "pending.resolved":
      answers.resolved(data);
      break;
    case "file.ready":
      timeline.fileReady(data, created);
      break;
    case "conversation.response.done":
      timeline.completeMessages();
      break;
    case "conversation.response.error": {
      const record = timeline.addItem(`error-${message.seq}`, "error", {
        label: "The backend reported an error",
        created,
      });
      record.body.append(el("p", { text: `${data.message || "Unknown error"}${data.code ? ` (code ${data.code})` : ""}` }));
      break;
    }
    case "conversation.status":
      timeline.completeMessages();
      timeline.markInterrupted(change.dropped);
      setStatus(data.status, data, created);
      break;
    default:
      break;
  }
  timelineRoot.dataset.lastSeq = String(projection.lastSeq);
  panels.applied(message, change, status);
}

// -- wiring -----------------------------------------------------------------------------------
const CONNECTION_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  idle: "Up to date",
  reconnecting: "Reconnecting…",
  forbidden: "You no longer have access to this conversation.",
};
let socketState = "connecting";

// "Live" only while a run is: a connected page of a finished (or waiting) conversation is only
// up to date, though it still follows whatever happens next.
function showConnection() {
  const running = status === "queued" || status === "running";
  const value = socketState === "live" && !running ? "idle" : socketState;
  connection.dataset.state = value;
  connection.textContent = CONNECTION_TEXT[value] || value;
}

updateDuration();
updateComposer();
setInterval(() => {
  if (!endedAt) updateDuration();
}, 1000);

function follow() {
  window.agentStudioSocket = liveSocket({
    path: state.urls.socket,
    query: () => `after=${projection.lastSeq}`,
    onMessage: (message) => {
      apply(message);
      timelineRoot.setAttribute("aria-busy", "false");
    },
    onState: (value) => {
      socketState = value;
      showConnection();
    },
  });
}

// Entries from REST first (a long conversation's first screen without its whole log), then the
// live tail over the socket from the snapshot's seq (or the whole log, while a turn runs).
loadHistory({
  url: state.urls.history,
  state,
  projection,
  timeline,
  show,
  onProgress: (drawn, count) => {
    timelineRoot.setAttribute("aria-busy", drawn < count ? "true" : "false");
    timelineRoot.dataset.loaded = String(drawn);
  },
})
  .then(
    (fromRest) => {
      if (fromRest) panels.showUsage(); // the snapshot's totals
      timelineRoot.dataset.history = "done";
      follow();
    },
    () => {
      // Following now would leave a hole between the entries drawn and the live tail.
      connection.dataset.state = "error";
      connection.textContent = "Could not load the earlier entries; reload the page to try again.";
    },
  );

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
