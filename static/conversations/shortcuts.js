// Keyboard shortcuts on every page, and the overlay that lists them ("?"). Pages add their own
// with addShortcut(); keys typed into a field, or with a modifier, are left alone.
import { el } from "./util.js";

const shortcuts = []; // {keys, label, run}
let pendingG = false;
let dialog = null;

export function addShortcut(keys, label, run) {
  shortcuts.push({ keys, label, run });
}

function go(path) {
  return () => location.assign(path);
}

addShortcut("?", "Show this list of shortcuts", () => openOverlay());
addShortcut("g d", "Go to the dashboard", go("/"));
addShortcut("g g", "Go to the graphs", go("/graphs/"));
addShortcut("g c", "Go to the conversations", go("/conversations/"));
addShortcut("g i", "Go to the inbox", go("/inbox/"));

export function openOverlay() {
  if (!dialog) {
    dialog = el("dialog", { id: "shortcuts", class: "shortcuts", "aria-labelledby": "shortcuts-title" });
    document.body.append(dialog);
  }
  const rows = shortcuts.map(({ keys, label }) =>
    el("tr", {}, el("td", {}, ...keys.split(" ").flatMap((k, i) => [i ? " then " : null, el("kbd", { text: k })])), el("td", { text: label })),
  );
  dialog.replaceChildren(
    el("h2", { id: "shortcuts-title", text: "Keyboard shortcuts" }),
    el("table", {}, el("tbody", {}, ...rows)),
    el("form", { method: "dialog" }, el("button", { type: "submit", class: "secondary", text: "Close" })),
  );
  if (!dialog.open) dialog.showModal();
}

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (dialog?.open && event.key !== "?") return; // the dialog handles Escape itself
  const key = pendingG ? `g ${event.key}` : event.key;
  const found = shortcuts.find((s) => s.keys === key);
  pendingG = !pendingG && event.key === "g" && shortcuts.some((s) => s.keys.startsWith("g "));
  if (found) {
    event.preventDefault();
    pendingG = false;
    found.run();
  }
});
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest(".shortcuts-open")) openOverlay();
});
