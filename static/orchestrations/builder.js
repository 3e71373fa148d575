// The orchestration builder: templates per pattern, the spec as JSON with its tree beside it,
// validation as you type (the server's validator, nothing saved), save, and run.
import { el, postJSON, errorText } from "../conversations/util.js";
import { patternTemplate, specTree } from "./templates.js";

const state = JSON.parse(document.getElementById("builder-state").textContent);
const $ = (id) => document.getElementById(id);
const nameInput = $("orch-name");
const specInput = $("orch-spec");
let current = null; // the orchestration being edited (null: a new one)
let revision = state.graph.revision;
let errors = {};
let timer = null;
let checkId = 0;

function select(orchestration) {
  current = orchestration;
  nameInput.value = orchestration ? orchestration.name : "";
  specInput.value = JSON.stringify(orchestration ? orchestration.spec : patternTemplate("sequence", state.agents), null, 2);
  const del = $("orch-delete");
  if (del) del.hidden = !orchestration;
  for (const button of document.querySelectorAll("[data-orchestration]")) {
    button.setAttribute("aria-current", String(orchestration && button.dataset.orchestration === orchestration.id));
  }
  const saved = $("orch-saved");
  if (saved) saved.textContent = "";
  check();
  runnable();
}

function runnable() {
  const button = $("orch-run-button");
  if (!button) return;
  const dirty = !current || JSON.stringify(parsed()) !== JSON.stringify(current.spec) || nameInput.value !== current.name;
  button.disabled = !current || dirty || Object.keys(errors).length > 0;
  $("orch-run-hint").textContent = !current ? "Save the orchestration to run it." : dirty ? "Save your changes to run them." : "";
}

function parsed() {
  try {
    return JSON.parse(specInput.value);
  } catch {
    return undefined;
  }
}

function paintTree(spec) {
  const tree = $("orch-tree");
  if (spec === undefined) return;
  const render = (node) =>
    el(
      "li",
      { class: errors[node.path] || errors[`${node.path}.agent`] ? "orch-node invalid" : "orch-node", "data-path": node.path },
      el("span", { class: `orch-kind orch-kind-${node.kind}`, text: node.kind }),
      " ",
      el("code", { text: node.path.replace(/^spec\.?/, "") || "spec" }),
      node.agent ? el("span", { class: "agent-chip", text: node.agent }) : null,
      node.id ? el("span", { class: "muted", text: ` #${node.id}` }) : null,
      node.children.length ? el("ul", {}, ...node.children.map(render)) : null,
    );
  tree.replaceChildren(el("ul", { class: "orch-tree-root" }, render(specTree(spec))));
}

function paintErrors() {
  const list = $("orch-errors");
  const entries = Object.entries(errors);
  list.replaceChildren(...entries.map(([path, messages]) => el("li", {}, el("code", { text: path }), ": ", messages.join(" "))));
  const validity = $("orch-validity");
  validity.textContent = entries.length ? `${entries.length} problem${entries.length > 1 ? "s" : ""}` : "Valid";
  validity.dataset.valid = String(!entries.length);
  specInput.setAttribute("aria-invalid", String(entries.length > 0));
}

async function check() {
  const spec = parsed();
  if (spec === undefined) {
    errors = { spec: ["Not valid JSON yet."] };
    paintErrors();
    runnable();
    return;
  }
  paintTree(spec);
  const id = ++checkId;
  const result = await postJSON(`/api/graphs/${state.graph.id}/orchestrations/validate/`, { spec });
  if (id !== checkId) return; // a newer keystroke's check is on its way
  errors = result.ok ? result.data.errors : { spec: [errorText(result.data)] };
  paintErrors();
  paintTree(spec);
  runnable();
}

specInput.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(check, 250);
  runnable();
});
nameInput.addEventListener("input", runnable);

for (const button of document.querySelectorAll("[data-template]")) {
  button.addEventListener("click", () => {
    specInput.value = JSON.stringify(patternTemplate(button.dataset.template, state.agents), null, 2);
    check();
    runnable();
  });
}
for (const button of document.querySelectorAll("[data-orchestration]")) {
  button.addEventListener("click", () => select(state.orchestrations.find((o) => o.id === button.dataset.orchestration)));
}
$("orch-new")?.addEventListener("click", () => select(null));

async function send(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

$("orch-save")?.addEventListener("click", async () => {
  const spec = parsed();
  const nameError = $("orch-name-error");
  nameError.hidden = true;
  if (spec === undefined) return check();
  const body = { name: nameInput.value, spec, revision };
  const result = current
    ? await send("PATCH", `/api/orchestrations/${current.id}/`, body)
    : await send("POST", `/api/graphs/${state.graph.id}/orchestrations/`, body);
  if (result.ok) {
    revision = result.data.revision;
    const saved = { id: result.data.id, name: result.data.name, description: result.data.description, spec: result.data.spec };
    const index = state.orchestrations.findIndex((o) => o.id === saved.id);
    if (index >= 0) state.orchestrations[index] = saved;
    else {
      state.orchestrations.push(saved);
      $("orch-empty")?.remove();
      const button = el("button", { type: "button", class: "link-button", "data-orchestration": saved.id, text: saved.name, onclick: () => select(state.orchestrations.find((o) => o.id === saved.id)) });
      $("orch-items").append(el("li", {}, button));
    }
    document.querySelector(`[data-orchestration="${saved.id}"]`).textContent = saved.name;
    select(saved);
    $("orch-saved").textContent = "Saved.";
  } else if (result.status === 409) {
    $("orch-saved").textContent = "The graph changed since you loaded it; reload the page.";
    if (result.data?.current_revision) revision = result.data.current_revision;
  } else {
    const data = result.data || {};
    if (data.name) {
      nameError.textContent = data.name.join(" ");
      nameError.hidden = false;
    }
    errors = Object.fromEntries(Object.entries(data).filter(([key]) => key.startsWith("spec")));
    paintErrors();
  }
});

$("orch-delete")?.addEventListener("click", async () => {
  if (!current || !confirm(`Delete ${current.name}? Its runs stay.`)) return;
  const result = await send("DELETE", `/api/orchestrations/${current.id}/?revision=${revision}`);
  if (result.ok) location.reload();
  else $("orch-saved").textContent = errorText(result.data);
});

$("orch-run")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = $("orch-run-error");
  error.hidden = true;
  const result = await postJSON(`/api/orchestrations/${current.id}/runs/`, { inputs: $("orch-input").value });
  if (result.ok) location.assign(`/orchestration-runs/${result.data.id}/`);
  else {
    error.textContent = errorText(result.data, { inputs: "Input" });
    error.hidden = false;
  }
});

select(state.orchestrations[0] || null);
