// "Save as test case" on the conversation page: pick one of the graph's suites, name the case,
// POST /api/suites/{id}/cases/ {"from_conversation", "name"}.
import { el, errorText, postJSON } from "../conversations/util.js";

const root = document.getElementById("save-case");
const select = document.getElementById("save-case-suite");
const result = document.getElementById("save-case-result");

async function loadSuites() {
  const response = await fetch(root.dataset.suitesUrl, { credentials: "same-origin" });
  const suites = response.ok ? await response.json() : [];
  select.replaceChildren(
    ...(suites.length
      ? suites.map((s) => el("option", { value: s.id, text: s.name }))
      : [el("option", { value: "", text: "No suites on this graph yet" })]),
  );
}

document.getElementById("save-case-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!select.value) {
    result.textContent = "Suite: create a suite on this graph first.";
    return;
  }
  const reply = await postJSON(`/api/suites/${select.value}/cases/`, {
    from_conversation: root.dataset.conversation,
    name: document.getElementById("save-case-name").value,
  });
  result.textContent = reply.ok
    ? `Saved as case “${reply.data.name}”.`
    : errorText(reply.data, { name: "Case name", from_conversation: "Conversation" });
  if (reply.ok) result.append(" ", el("a", { href: `/suites/${select.value}/`, text: "Open the suite" }));
});

if (root) loadSuites();
