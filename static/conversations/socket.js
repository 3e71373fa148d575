// A WebSocket that reconnects on its own, with backoff. `query()` is asked for the query string
// at every (re)connection, so a conversation page resumes from the last seq it rendered.
export function liveSocket({ path, query = () => "", onMessage, onState }) {
  let ws = null;
  let delay = 500;
  let timer = null;
  let stopped = false;

  function url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const q = query();
    return `${scheme}//${location.host}${path}${q ? "?" + q : ""}`;
  }

  function open() {
    clearTimeout(timer);
    timer = null;
    onState?.("connecting");
    ws = new WebSocket(url());
    ws.addEventListener("open", () => {
      delay = 500;
      onState?.("live");
    });
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      onMessage(message);
    });
    ws.addEventListener("close", (event) => {
      ws = null;
      if (stopped) return;
      if (event.code === 4403) {
        onState?.("forbidden");
        return;
      }
      onState?.("reconnecting");
      const wait = delay + Math.random() * 250;
      delay = Math.min(delay * 2, 8000);
      timer = setTimeout(open, wait);
    });
  }

  const online = () => {
    if (!stopped && !ws) open();
  };
  window.addEventListener("online", online);
  open();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener("online", online); // the editor opens one per conversation it follows
      ws?.close();
    },
    // For tests and debugging: drop the connection as a network blip would.
    drop() {
      ws?.close(4000, "dropped");
    },
  };
}
