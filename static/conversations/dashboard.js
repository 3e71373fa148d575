// Dashboard and conversations list, live over the workspace feed: on the dashboard the counters
// and recent conversations are re-read from the server; in the list, status badges change in place.
import { liveSocket } from "./socket.js";
import { STATUS_LABELS } from "./util.js";

const regions = [...document.querySelectorAll("[data-refresh]")];
let timer = null;

function refreshSoon() {
  if (!regions.length) return;
  clearTimeout(timer);
  timer = setTimeout(async () => {
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const region of regions) {
        const fresh = doc.getElementById(region.id);
        if (fresh) region.replaceChildren(...fresh.childNodes);
      }
    } catch {
      // the next notice tries again
    }
  }, 250);
}

function updateBadges(data) {
  document.querySelectorAll(`[data-status-of="${CSS.escape(data.conversation || "")}"]`).forEach((badge) => {
    badge.className = `status status-${data.status}`;
    badge.textContent = STATUS_LABELS[data.status] || data.status;
    badge.closest("tr, li")?.classList.toggle("waiting", data.status === "awaiting_input");
  });
}

let connected = false;
liveSocket({
  path: "/ws/feed/",
  onMessage: (message) => {
    if (message.type === "conversation.status") updateBadges(message.data || {});
    refreshSoon();
  },
  onState: (state) => {
    if (state === "live" && connected) refreshSoon(); // missed notices while disconnected
    if (state === "live") connected = true;
  },
});
