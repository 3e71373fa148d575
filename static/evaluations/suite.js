// The suite page: "Run suite" starts a run (POST .../runs/), then the progress bar follows it
// (GET /api/suite-runs/{id}/) until every case is judged, and the page reloads with the results.
import { errorText, postJSON } from "../conversations/util.js";

const root = document.getElementById("suite");
const card = document.getElementById("run-progress-card");
const bar = document.getElementById("run-progress");
const text = document.getElementById("run-progress-text");

async function follow(runId) {
  card.hidden = false;
  for (;;) {
    const response = await fetch(root.dataset.runUrl.replace("{id}", runId), { credentials: "same-origin" });
    if (response.ok) {
      const run = await response.json();
      const done = run.passed + run.failed;
      bar.max = run.total;
      bar.value = done;
      text.textContent = `${done} of ${run.total} cases finished (${run.passed} passed, ${run.failed} failed)`;
      if (run.status === "completed") {
        window.location.reload();
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const button = document.getElementById("run-suite");
button?.addEventListener("click", async () => {
  button.disabled = true;
  const error = document.getElementById("run-error");
  error.hidden = true;
  const reply = await postJSON(root.dataset.runsUrl, {});
  if (!reply.ok) {
    error.textContent = errorText(reply.data);
    error.hidden = false;
    button.disabled = false;
    return;
  }
  follow(reply.data.id);
});

if (root?.dataset.running) follow(root.dataset.running);
