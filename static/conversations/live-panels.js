// What the conversation page shows around its timeline, fed by live.js after each event: the
// stream followed (follow.js), the token and cost counters (usage.js), the retry notice, the
// lanes (lanes.js) and the raw events, and the switch between the reading, lanes and raw views.
import { retryText } from "./failures.js";
import { createFollower } from "./follow.js";
import { createLanes } from "./lanes.js";
import { getJSON } from "./loader.js";
import { addShortcut } from "./shortcuts.js";
import { Projection } from "./projection.js";
import { createUsageMeter } from "./usage.js";
import { FINAL_STATUSES as FINAL } from "./util.js";

const RAW_LIMIT = 5000; // events kept for the raw view; the API has them all

export function createLivePanels({ state, projection }) {
  const follower = createFollower({
    header: document.getElementById("conv-header"),
    bar: document.getElementById("conv-bar"),
    pill: document.getElementById("new-activity"),
  });
  const meter = createUsageMeter({
    tokens: document.getElementById("conv-tokens"),
    cost: document.getElementById("conv-cost"),
    price: state.price,
  });
  // Not drawn yet: until the history's totals or the first event, the figure the server
  // rendered stands (an empty projection would show 0 tokens).
  const lanes = createLanes({ root: document.getElementById("lanes"), state, projection });
  const rawBox = document.getElementById("raw-events-json");
  let raw = [];
  let view = "reading";
  let status = state.status;
  const fed = new Set(); // seqs the lanes have taken

  // The page may have drawn its history from REST entries (loader.js), so the socket brought only
  // the tail of the log; the lanes (timings) and the raw view want every event. Read the log
  // once, when one of them is first shown, and give them what they have not seen (by seq).
  let earlier = null;
  function loadEarlier() {
    earlier ??= (async () => {
      const logged = [];
      for (let after = 0; ; ) {
        const batch = await getJSON(`${state.urls.events}?after=${after}&limit=${RAW_LIMIT}`);
        logged.push(...batch);
        if (batch.length < RAW_LIMIT || logged.length >= RAW_LIMIT) break;
        after = batch[batch.length - 1].seq;
      }
      // A scratch projection says which entries each event changed, as the page's did live.
      const scratch = new Projection();
      for (const message of logged) {
        const change = scratch.apply(message);
        if (!fed.has(message.seq)) {
          fed.add(message.seq);
          lanes.applied(message, status, change);
        }
      }
      const bySeq = new Map([...logged, ...raw].map((message) => [message.seq, message]));
      raw = [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(0, RAW_LIMIT);
      if (view === "raw") rawBox.textContent = raw.map((e) => JSON.stringify(e, null, 2)).join("\n");
      if (view === "lanes") lanes.draw();
    })().catch(() => {
      earlier = null; // try again next time the view is shown
    });
    return earlier;
  }

  // -- the retry notice, counting down to the next attempt -----------------------------------
  const notice = document.getElementById("retry-notice");
  let retry = null; // {data, created}
  let ticker = null;
  function drawRetry() {
    if (!retry) {
      notice.hidden = true;
      clearInterval(ticker);
      ticker = null;
      return;
    }
    notice.hidden = false;
    notice.textContent = retryText(retry.data, Date.now(), retry.created);
    ticker ??= setInterval(drawRetry, 1000);
  }

  // -- views ------------------------------------------------------------------------------------
  const sections = {
    reading: document.getElementById("reading"),
    lanes: document.getElementById("lanes"),
    raw: document.getElementById("raw-events"),
  };
  const buttons = [...document.querySelectorAll(".view-switch [data-view]")];
  function show(next) {
    if (!sections[next]) return;
    view = next;
    for (const [name, section] of Object.entries(sections)) section.hidden = name !== next;
    for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.view === next));
    if (next === "raw") rawBox.textContent = raw.map((e) => JSON.stringify(e, null, 2)).join("\n");
    if (next === "lanes") lanes.draw();
    if (next === "raw" || next === "lanes") loadEarlier();
    const url = new URL(location.href);
    if (next === "reading") url.searchParams.delete("view");
    else url.searchParams.set("view", next);
    history.replaceState(null, "", url);
  }
  for (const button of buttons) button.addEventListener("click", () => show(button.dataset.view));
  show(new URLSearchParams(location.search).get("view") || "reading");
  addShortcut("r", "Reading view", () => show("reading"));
  addShortcut("l", "Lanes view: one lane per agent", () => show("lanes"));
  addShortcut("e", "Raw events (JSON)", () => show("raw"));
  addShortcut("n", "Jump to the newest activity", () => follower.toBottom(true));

  // Small screens show the header's main facts; the rest on demand.
  const factsToggle = document.getElementById("facts-toggle");
  factsToggle?.addEventListener("click", () => {
    const open = document.getElementById("conv-header").classList.toggle("show-more");
    factsToggle.setAttribute("aria-expanded", String(open));
    factsToggle.textContent = open ? "Fewer details" : "More details";
  });

  // After live.js applied `message` (its change, and the conversation's status then). A replay of
  // what was logged before the page loaded, on a conversation that had finished, is not live.
  function applied(message, change, nextStatus) {
    status = nextStatus;
    const seen = raw.length && raw[raw.length - 1].seq >= message.seq;
    if (raw.length < RAW_LIMIT && !seen) raw.push(message);
    if (view === "raw" && !seen) rawBox.append(`${raw.length > 1 ? "\n" : ""}${JSON.stringify(message, null, 2)}`);
    meter.update(projection);
    const next = projection.retrying ? { data: projection.retrying, created: message.created_at } : null;
    if (next?.data !== retry?.data) {
      retry = next;
      drawRetry();
    }
    if (!fed.has(message.seq)) {
      fed.add(message.seq);
      lanes.applied(message, status, change);
    }
    if (view === "lanes") lanes.draw();
    const replay = FINAL.has(state.status) && message.seq <= state.lastSeq;
    follower.changed({ live: !replay && !FINAL.has(status) });
  }

  const showUsage = () => meter.update(projection);
  return { applied, show, follower, showUsage, toBottom: () => follower.toBottom(true) };
}
