// The conversation page's history, from REST in pages of entries (conversations/api/history.py)
// rather than by replaying the whole event log over the socket: the first screen is drawn from
// the first page, the rest follows page by page, and the socket then replays only the events
// after the snapshot's seq. While a turn runs there is no snapshot (its entries are still being
// written): loadHistory() returns false and the socket replays the log from the start, as before.
//
// The entries seed the one projection (projection.js) exactly as their events would have left it
// (same keys, agents and data), so the events that follow apply to them as usual.
const FIRST_PAGE = 60;
const PAGE = 500;
const NO_CHANGE = Object.freeze({ changed: [], dropped: [] });

export async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
const time = (stamp) => Date.parse(stamp) || 0;

// The projection's key of a REST entry: the backend's entry id, or for our own message.input and
// function.result the local Entry id (what their events carry as `data.entry`).
export function projectionKey(entry) {
  return entry.type === "message.input" || entry.type === "function.result" ? entry.id : entry.remote_id;
}

export function seedEntry(projection, entry, remoteOf) {
  const key = projectionKey(entry);
  const data = { ...(entry.data || {}) };
  let agent = entry.agent ? remoteOf.get(entry.agent.id) || null : null;
  if (entry.type === "agent.handoff") {
    delete data.next_agent; // the REST entry's local id; the projection has only the remote ones
    agent = data.previous_agent_id || agent;
    if (data.previous_agent_id && data.previous_agent_name) projection.agentNames.set(data.previous_agent_id, data.previous_agent_name);
    if (data.next_agent_id) {
      if (data.next_agent_name) projection.agentNames.set(data.next_agent_id, data.next_agent_name);
      projection.activeAgentId = data.next_agent_id;
    }
  }
  if (entry.type === "message.input") agent = null;
  if (entry.type === "function.result") {
    // The calling agent's, as the projection has it: the function.call with the same tool_call_id.
    const call = [...projection.entries.values()].find(
      (e) => e.type === "function.call" && e.data.tool_call_id === data.tool_call_id,
    );
    agent = call ? call.agent_remote_id : null;
  }
  projection.entries.set(key, {
    key,
    type: entry.type,
    agent_remote_id: agent,
    agent_name: null,
    role: entry.role || "",
    text: entry.text || "",
    data,
  });
  return key;
}

// show(message, change): the page's drawing of an applied event (entries it changed, notes,
// pending cards, files).
// Returns true when the history came from REST (the socket then starts after projection.lastSeq).
export async function loadHistory({ url, state, projection, timeline, show, onProgress = () => {} }) {
  let page;
  try {
    page = await getJSON(`${url}?limit=${FIRST_PAGE}`);
  } catch {
    return false; // the socket's replay still works
  }
  if (!page.settled) return false;
  const remoteOf = new Map(Object.entries(state.remotes).map(([remote, local]) => [local, remote]));
  const notes = page.notes || [];
  let shown = 0;
  let drawn = 0;
  const showNotesBefore = (stamp) => {
    while (shown < notes.length && (stamp === null || time(notes[shown].created_at) <= stamp)) {
      // Applied to the projection without seq bookkeeping (they are at or below the snapshot):
      // a failed turn's outputs appear, then its failure drops them, as they did live.
      const note = notes[shown];
      show(note, projection.applyData(note.type, note.data || {}) || NO_CHANGE);
      shown += 1;
    }
  };
  const draw = (batch) => {
    for (const [key, html] of Object.entries(batch.rendered || {})) timeline.rendered.set(key, html);
    for (const entry of batch.entries) {
      showNotesBefore(time(entry.created_at) - 1);
      const key = seedEntry(projection, entry, remoteOf);
      timeline.drawEntry(key, { created_at: entry.created_at, data: { user: entry.created_by } });
    }
    timeline.completeMessages();
    drawn += batch.entries.length;
    onProgress(drawn, page.count);
  };
  projection.lastSeq = page.seq;
  // Entries carry no response.done to add up: the snapshot's totals are the usage up to its seq,
  // and the live tail's responses add to them.
  if (page.usage) Object.assign(projection.totalUsage, page.usage);
  draw(page);
  let next = page.next;
  let failures = 0;
  while (next !== null && next !== undefined) {
    await nextFrame(); // the first screen paints before the rest is fetched
    let batch;
    try {
      batch = await getJSON(`${url}?after=${next}&upto=${page.upto}&limit=${PAGE}`);
    } catch (error) {
      failures += 1;
      if (failures >= 5) throw error; // the page says so; the live tail would have a hole
      await new Promise((resolve) => setTimeout(resolve, 1000 * failures));
      continue; // the same page again
    }
    failures = 0;
    draw(batch);
    next = batch.next;
  }
  showNotesBefore(null);
  return true;
}
