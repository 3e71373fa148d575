// Dashboard and list: status badges and the pending count follow the workspace feed.
import { liveSocket } from "./socket.js";
import { STATUS_LABELS } from "./util.js";

const counter = document.getElementById("pending-count");

liveSocket({
  path: "/ws/feed/",
  onMessage: (message) => {
    const data = message.data || {};
    if (message.type === "conversation.status") {
      document.querySelectorAll(`[data-status-of="${CSS.escape(data.conversation)}"]`).forEach((badge) => {
        badge.className = `status status-${data.status}`;
        badge.textContent = STATUS_LABELS[data.status] || data.status;
        badge.closest("tr, li")?.classList.toggle("waiting", data.status === "awaiting_input");
      });
    } else if (counter && (message.type === "pending.created" || message.type === "pending.resolved")) {
      // The count is of actions the user may answer; re-read it rather than guess the role.
      fetch(location.href, { credentials: "same-origin" })
        .then((r) => r.text())
        .then((html) => {
          const doc = new DOMParser().parseFromString(html, "text/html");
          const fresh = doc.getElementById("pending-count");
          if (fresh) counter.textContent = fresh.textContent;
        })
        .catch(() => {});
    }
  },
});
