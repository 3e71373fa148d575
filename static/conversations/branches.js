// "Branch from here" on the live conversation page: a button on every user message and agent
// output of the timeline, and the dialog that creates the branch (POST .../branch/) and opens
// it. It only watches the timeline the live page draws (a MutationObserver), so the live page's
// modules need not know about it.
import { el, errorText, postJSON } from "./util.js";

const panel = document.getElementById("branches");
const timeline = document.getElementById("timeline");
const dialog = document.getElementById("branch-dialog");
const BRANCHABLE = new Set(["user", "message"]);
let chosen = null; // {key, kind, text}

function addButton(li) {
  if (!BRANCHABLE.has(li.dataset.kind) || li.querySelector(".branch-button")) return;
  const kind = li.dataset.kind === "user" ? "message" : "agent output";
  const button = el("button", {
    type: "button",
    class: "branch-button link-button",
    "aria-label": `Branch from this ${kind}`,
    text: "Branch from here",
  });
  button.addEventListener("click", () => open(li));
  (li.querySelector(".entry-head") || li).append(button);
}

function open(li) {
  const body = li.querySelector(".entry-body");
  chosen = { key: li.dataset.entry, kind: li.dataset.kind, text: body ? body.textContent.trim() : "" };
  const input = document.getElementById("branch-inputs");
  input.value = chosen.kind === "user" ? chosen.text : "";
  document.getElementById("branch-from").textContent =
    chosen.kind === "user"
      ? "From this message: everything before it is kept."
      : "From this agent output: everything before it is kept, and the agent answers again (or answers the message you write).";
  document.getElementById("branch-error").hidden = true;
  dialog.showModal();
  input.focus();
}

async function entryId(key) {
  // The timeline keys outputs by the backend's id and inputs by ours; the API wants ours.
  const response = await fetch(panel.dataset.entriesUrl, { credentials: "same-origin" });
  if (!response.ok) return null;
  const entries = await response.json();
  const found = entries.find((e) => e.id === key || (e.remote_id && e.remote_id === key));
  return found ? found.id : null;
}

function showError(text) {
  const error = document.getElementById("branch-error");
  error.textContent = text;
  error.hidden = false;
}

async function submit(event) {
  event.preventDefault();
  if (!chosen) return;
  const button = document.getElementById("branch-submit");
  button.disabled = true;
  try {
    const id = await entryId(chosen.key);
    if (!id) {
      showError("This entry is not saved yet; wait for the turn to finish.");
      return;
    }
    const form = document.getElementById("branch-form");
    const text = document.getElementById("branch-inputs").value;
    const body = { from_entry: id, agent_versions: new FormData(form).get("agent_versions") };
    if (text.trim()) body.inputs = text;
    const reply = await postJSON(panel.dataset.branchUrl, body);
    if (reply.ok) {
      window.location.assign(`/conversations/${reply.data.id}/`);
      return;
    }
    showError(errorText(reply.data, { inputs: "Message", from_entry: "Entry", agent_versions: "Agent versions" }));
  } finally {
    button.disabled = false;
  }
}

if (panel && timeline && dialog && panel.dataset.canOperate === "1") {
  for (const li of timeline.querySelectorAll("li.entry")) addButton(li);
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) if (node.matches?.("li.entry")) addButton(node);
  }).observe(timeline, { childList: true });
  document.getElementById("branch-form").addEventListener("submit", submit);
  document.getElementById("branch-cancel").addEventListener("click", () => dialog.close());
}
