// The header's inbox count, live: the workspace feed says when a pending action came or went, and
// the count is then re-read once (it depends on the reader's roles), never polled.
import { liveSocket } from "./socket.js";

const badge = document.getElementById("nav-inbox-count");
let timer = null;

function show(count) {
  badge.textContent = String(count);
  badge.dataset.count = String(count);
  badge.hidden = !count;
}

function refresh() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    try {
      const response = await fetch("/inbox/count/", { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) show((await response.json()).pending);
    } catch {
      // the next notice tries again
    }
  }, 150);
}

if (badge) {
  show(Number(badge.dataset.count || 0));
  let connected = false;
  liveSocket({
    path: "/ws/feed/",
    onMessage: (message) => {
      if (String(message.type || "").startsWith("pending.")) refresh();
    },
    onState: (state) => {
      if (state === "live" && connected) refresh(); // notices missed while disconnected
      if (state === "live") connected = true;
    },
  });
}
