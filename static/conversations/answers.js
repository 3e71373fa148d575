// The live page's pending actions, answered inline: a function call's result form, a client-mode
// handoff's continue/stop decision, shown on the timeline item they belong to.
import { el, errorText, postJSON } from "./util.js";

export function createAnswers({ state, timeline }) {
  const pendingById = new Map(); // pending action id -> timeline record it is shown on

  function resolveUrl(id) {
    return state.urls.resolve.replace("{id}", id);
  }

  function functionForm(action) {
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
    // An approval (a worker-run tool whose policy says ask) is decided the same way.
    const approval = action.kind === "approval";
    const [yes, no] = approval ? ["approve", "reject"] : ["continue", "stop"];
    const goText = approval ? `Approve and run ${action.name}` : `Continue to ${action.name}`;
    const go = el("button", { type: "button", class: "primary", text: goText });
    const stop = el("button", { type: "button", class: "secondary", text: approval ? "Reject" : "Stop here" });
    go.addEventListener("click", () => send(yes, go));
    stop.addEventListener("click", () => send(no, stop));
    const label = approval ? "Approval decision" : "Handoff decision";
    return el("div", { class: "answer-form", role: "group", "aria-label": label }, go, stop, error);
  }

  function created(action) {
    const record =
      action.kind !== "handoff"
        ? timeline.callsByToolId.get(action.tool_call_id)
        : [...timeline.items.values()].reverse().find((r) => r.kind === "handoff");
    if (!record) return;
    pendingById.set(action.id, record);
    record.li.classList.add("is-pending");
    record.stateLine = record.stateLine || el("p", { class: "call-state muted" });
    record.formBox = record.formBox || el("div");
    if (!record.stateLine.isConnected) record.body.append(record.stateLine, record.formBox);
    record.stateLine.replaceChildren(
      el("strong", {
        text: {
          function_call: "Waiting for a result.",
          approval: "Waiting for approval (the tool policy asks first).",
        }[action.kind] || "Paused at this handoff (client mode).",
      }),
      " ",
      state.canOperate ? "Answer here or in the " : "Operators can answer it in the ",
      el("a", { href: state.urls.inbox, text: "inbox" }),
      ".",
    );
    if (state.canOperate) {
      record.formBox.replaceChildren(action.kind === "function_call" ? functionForm(action) : handoffForm(action));
    }
  }

  function resolved(action) {
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

  return { created, resolved };
}
