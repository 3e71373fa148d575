// The inbox: answer pending actions in place; cards come and go live over the workspace feed.
import { liveSocket } from "./socket.js";
import { errorText, postJSON } from "./util.js";

const list = document.getElementById("inbox-list");
const empty = document.getElementById("inbox-empty");
const announce = document.getElementById("inbox-announce");
const live = document.getElementById("inbox-live");

function refreshEmpty() {
  empty.hidden = list.querySelector("[data-pending]") !== null;
}

function removeCard(id, why) {
  const card = document.getElementById(`pending-${id}`);
  if (!card) return;
  card.remove();
  announce.textContent = why;
  refreshEmpty();
}

async function addCard(id) {
  if (document.getElementById(`pending-${id}`)) return;
  const response = await fetch(`/inbox/${id}/card/`, { credentials: "same-origin" });
  if (!response.ok || document.getElementById(`pending-${id}`)) return; // gone meanwhile
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim(); // our own server-rendered, escaped card
  const card = template.content.firstElementChild;
  if (!card) return;
  list.append(card);
  wire(card);
  announce.textContent = "A new pending action arrived.";
  refreshEmpty();
}

function wire(card) {
  const form = card.querySelector("form.answer-form");
  if (!form) return;
  const error = form.querySelector(".error");
  let decision = null;
  form.querySelectorAll('button[name="decision"]').forEach((button) =>
    button.addEventListener("click", () => {
      decision = button.value;
    }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    let body;
    if (form.dataset.kind === "function_call") {
      const result = form.elements.result.value;
      const allowEmpty = form.elements.allow_empty.checked;
      if (!result.trim() && !allowEmpty) {
        // An empty answer goes to the model as the function's output: only on purpose.
        error.textContent = 'Result: it is empty. Write one, or tick "Send an empty result".';
        error.hidden = false;
        form.elements.result.focus();
        return;
      }
      if (form.elements.format.value === "json" && result.trim()) {
        try {
          JSON.parse(result);
        } catch (exc) {
          error.textContent = `Result: not valid JSON (${exc.message}). Fix it or answer as text.`;
          error.hidden = false;
          form.elements.result.focus();
          return;
        }
      }
      body = { result, allow_empty: allowEmpty };
    } else {
      body = { decision: event.submitter?.value || decision || "continue" };
    }
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    const reply = await postJSON(form.dataset.resolve, body);
    buttons.forEach((b) => (b.disabled = false));
    if (reply.ok) {
      removeCard(card.dataset.pending, "Answer sent.");
    } else if (reply.status === 409) {
      removeCard(card.dataset.pending, "Someone else answered it already.");
    } else {
      error.textContent = errorText(reply.data, { result: "Result", decision: "Decision" });
      error.hidden = false;
    }
  });
}

list.querySelectorAll("[data-pending]").forEach(wire);

// The feed has no replay: after (re)connecting, catch up with what changed meanwhile.
async function resync() {
  const response = await fetch("/api/pending/?status=pending", { credentials: "same-origin" });
  if (!response.ok) return;
  const ids = new Set();
  let page = await response.json();
  for (;;) {
    page.results.forEach((action) => ids.add(action.id));
    if (!page.next) break;
    const more = await fetch(page.next, { credentials: "same-origin" });
    if (!more.ok) break;
    page = await more.json();
  }
  list.querySelectorAll("[data-pending]").forEach((card) => {
    if (!ids.has(card.dataset.pending)) removeCard(card.dataset.pending, "A pending action was answered.");
  });
  for (const id of ids) await addCard(id);
}

liveSocket({
  path: "/ws/feed/",
  onMessage: (message) => {
    const data = message.data || {};
    if (message.type === "pending.created" && data.status === "pending") addCard(data.id);
    else if (message.type === "pending.resolved") {
      removeCard(data.id, data.status === "cancelled" ? "A pending action was cancelled." : "A pending action was answered.");
    }
  },
  onState: (value) => {
    // Also on the first connection: whatever changed between rendering and subscribing.
    if (value === "live") resync().catch(() => {});
    live.dataset.state = value;
    live.textContent = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" }[value] || value;
  },
});
