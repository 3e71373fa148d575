// The lanes view: one lane per agent (and one for the people), time running left to right. Each
// agent's stretch of the conversation is a span in its lane, handoffs are arrows between lanes,
// tool runs and waits for a person are marked spans, and every span tells its duration on hover.
// Built on the projection's entries (projection.js); from the events it only takes when each
// entry changed and when a pending action was created and resolved.
import { el, FINAL_STATUSES } from "./util.js";

const SVG = "http://www.w3.org/2000/svg";
const LANE_H = 40;
const PEOPLE = "people";
// Not over yet: the spans still open grow with the clock.
const LIVE = { has: (status) => !FINAL_STATUSES.has(status) };

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== null && value !== undefined) node.setAttribute(key, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

export function durationText(ms) {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function time(iso) {
  const value = new Date(iso).getTime();
  return Number.isNaN(value) ? null : value;
}

export function createLanes({ root, state, projection }) {
  const agents = new Map(state.agents.map((a) => [a.id, a]));
  const byName = new Map(state.agents.map((a) => [a.name, a.id]));
  const remotes = new Map(Object.entries(state.remotes));
  const times = new Map(); // entry key -> [first, last] event time (ms)
  const waits = new Map(); // pending id -> {start, end, name, toolCallId, kind}
  const startedAt = time(state.createdAt);
  let status = state.status;
  let lastTime = startedAt;
  let ticker = null;

  function localAgent(remoteId) {
    if (remoteId && remotes.has(remoteId)) return remotes.get(remoteId);
    return byName.get(projection.agentName(remoteId)) || null;
  }

  function applied(message, nextStatus, change) {
    status = nextStatus;
    const at = time(message.created_at) ?? Date.now();
    lastTime = Math.max(lastTime || at, at);
    for (const key of change?.changed || []) {
      const span = times.get(key);
      if (span) span[1] = Math.max(span[1], at);
      else times.set(key, [at, at]);
    }
    const data = message.data || {};
    if (message.type === "pending.created") {
      waits.set(data.id, { start: at, end: null, name: data.name, toolCallId: data.tool_call_id, kind: data.kind });
    } else if (message.type === "pending.resolved" && waits.has(data.id)) {
      waits.get(data.id).end = at;
    }
  }

  // The lanes' content, from the entries in order: [{lane, kind, start, end, label, ...}].
  function model() {
    const entries = projection.entryList();
    const laneIds = [];
    const addLane = (id) => {
      if (id && !laneIds.includes(id)) laneIds.push(id);
    };
    addLane(state.entryAgent || null);
    const spans = [];
    const arrows = [];
    let segment = null; // the open agent segment
    const closeSegment = (end) => {
      if (segment) {
        segment.end = Math.max(segment.end, end);
        spans.push(segment);
      }
      segment = null;
    };
    const callAgents = new Map();
    for (const entry of entries) {
      const [start, end] = times.get(entry.key) || [null, null];
      if (start === null) continue;
      if (entry.type === "message.input" || (entry.type === "function.result" && !entry.data.automatic)) {
        addLane(PEOPLE);
        const label = entry.type === "message.input" ? "Message from a person" : `Answer to ${entry.data.name || "a call"}`;
        spans.push({ lane: PEOPLE, kind: "input", start, end, label });
        continue;
      }
      const agent = localAgent(entry.agent_remote_id) || state.entryAgent;
      addLane(agent);
      if (!segment || segment.lane !== agent) {
        closeSegment(start);
        segment = { lane: agent, kind: "segment", start, end, label: agents.get(agent)?.name || "agent" };
      }
      segment.end = Math.max(segment.end, end);
      if (entry.type === "tool.execution") {
        spans.push({ lane: agent, kind: "tool", start, end, label: `Tool ${entry.data.name || ""}`.trim(), open: !entry.data.done });
      } else if (entry.type === "function.call") {
        callAgents.set(entry.data.tool_call_id, agent);
      } else if (entry.type === "agent.handoff" && entry.data.next_agent_id) {
        const target = localAgent(entry.data.next_agent_id);
        addLane(target);
        arrows.push({ from: agent, to: target, at: end, label: `Handoff to ${entry.data.next_agent_name || "agent"}` });
        closeSegment(end);
        segment = { lane: target, kind: "segment", start: end, end, label: agents.get(target)?.name || "agent" };
      }
    }
    const now = LIVE.has(status) ? Date.now() : lastTime;
    if (segment && LIVE.has(status) && status !== "awaiting_input") segment.end = now;
    closeSegment(segment?.end ?? now);
    for (const wait of waits.values()) {
      const lane = callAgents.get(wait.toolCallId) || localAgent(projection.activeAgentId) || state.entryAgent;
      addLane(lane);
      const what = wait.kind === "handoff" ? "a handoff decision" : `a result for ${wait.name || "a call"}`;
      spans.push({ lane, kind: "wait", start: wait.start, end: wait.end ?? now, label: `Waiting for a person: ${what}`, open: wait.end === null });
    }
    // The people's lane goes last, under the agents'.
    const ordered = [...laneIds.filter((id) => id !== PEOPLE), ...laneIds.filter((id) => id === PEOPLE)];
    return { laneIds: ordered, spans, arrows, start: startedAt ?? now, end: Math.max(now, startedAt ?? now) };
  }

  function laneLabel(id) {
    if (id === PEOPLE) return el("span", { class: "lane-people", text: "People" });
    const agent = agents.get(id);
    return el("span", { class: "agent-chip", style: `--agent: ${agent?.color || "hsl(220 8% 45%)"}`, text: agent?.name || "agent" });
  }

  function draw() {
    if (root.hidden) return;
    const { laneIds, spans, arrows, start, end } = model();
    if (!spans.length) {
      root.replaceChildren(el("p", { class: "muted", text: "Nothing has happened yet: the lanes fill in as the agents work." }));
      return;
    }
    const labels = el("ol", { class: "lane-labels" }, ...laneIds.map((id) => el("li", { class: "lane", "data-lane": id }, laneLabel(id))));
    const track = el("div", { class: "lane-track" });
    root.replaceChildren(
      el("p", { class: "muted lanes-legend", text: `${durationText(end - start)} in all. Hover a span for its duration.` }),
      el("div", { class: "lanes-grid" }, labels, track),
    );
    const width = Math.max(track.clientWidth, 120);
    const range = Math.max(end - start, 1);
    const x = (t) => Math.round(((t - start) / range) * (width - 8)) + 4;
    const y = (lane) => laneIds.indexOf(lane) * LANE_H;
    const height = laneIds.length * LANE_H;
    const arrowHead = svg(
      "marker",
      { id: "lane-arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "lane-arrow-head" }),
    );
    const chart = svg("svg", { width, height, class: "lanes-svg", role: "img", "aria-label": "Agents over time" }, svg("defs", {}, arrowHead));
    laneIds.forEach((id, index) => chart.append(svg("line", { x1: 0, x2: width, y1: index * LANE_H + LANE_H - 0.5, y2: index * LANE_H + LANE_H - 0.5, class: "lane-rule" })));
    const order = { segment: 0, wait: 1, tool: 2, input: 3 };
    for (const span of spans.sort((a, b) => order[a.kind] - order[b.kind])) {
      const inset = span.kind === "segment" ? 6 : span.kind === "input" ? 12 : 12;
      const color = agents.get(span.lane)?.color || "hsl(220 8% 45%)";
      const duration = durationText(span.end - span.start);
      const rect = svg(
        "rect",
        {
          x: x(span.start),
          y: y(span.lane) + inset,
          width: Math.max(x(span.end) - x(span.start), 4),
          height: LANE_H - inset * 2,
          rx: 3,
          class: `lane-span lane-${span.kind}${span.open ? " is-open" : ""}`,
          fill: span.kind === "segment" ? color : null, // an attribute: the CSP allows no style=""
          "data-kind": span.kind,
          "data-lane": span.lane,
          "data-duration-ms": String(Math.round(span.end - span.start)),
          tabindex: "0",
          "aria-label": `${span.label}: ${duration}${span.open ? " so far" : ""}`,
        },
        svg("title", {}, document.createTextNode(`${span.label}: ${duration}${span.open ? " so far" : ""}`)),
      );
      chart.append(rect);
    }
    for (const arrow of arrows) {
      if (!laneIds.includes(arrow.from) || !laneIds.includes(arrow.to)) continue;
      const ax = x(arrow.at);
      const from = y(arrow.from) + LANE_H / 2;
      const to = y(arrow.to) + LANE_H / 2;
      chart.append(
        svg(
          "line",
          { x1: ax, x2: ax + 6, y1: from, y2: to > from ? to - 8 : to + 8, class: "lane-handoff", "marker-end": "url(#lane-arrow)", "data-handoff": arrow.label, tabindex: "0", "aria-label": arrow.label },
          svg("title", {}, document.createTextNode(arrow.label)),
        ),
      );
    }
    track.append(chart);
    clearInterval(ticker);
    ticker = LIVE.has(status) ? setInterval(draw, 1000) : null;
  }

  window.addEventListener("resize", () => draw());
  return { applied, draw };
}
