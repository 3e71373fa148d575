// The conversation page's budget form (admins): PUT the budget; a paused run resumes when the
// new budget allows it, and the page reloads to show it.
import { csrfToken, errorText } from "./util.js";

const form = document.getElementById("budget-form");
form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("budget-error");
  error.hidden = true;
  const value = document.getElementById("budget-input").value.trim();
  const response = await fetch(form.dataset.url, {
    method: "PUT",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ budget_usd: value === "" ? null : value }),
  });
  if (response.ok) {
    window.location.reload();
    return;
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  error.textContent = errorText(data, { budget_usd: "Budget" });
  error.hidden = false;
});
