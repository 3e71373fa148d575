// The editable document: agents keyed by id (new ones get "new-<n>" ids until saved) plus the
// entry agent. Every edit produces a new document object, which makes undo/redo and the
// unsaved-changes check cheap.

export const AGENT_FIELDS = [
  "name",
  "description",
  "instructions",
  "model",
  "tools",
  "completion_args",
  "position_x",
  "position_y",
];

let newCounter = 0;
export const newId = () => `new-${++newCounter}`;
export const isNew = (id) => String(id).startsWith("new-");

export function agentFromServer(a) {
  const agent = { id: a.id, handoffs: [...(a.handoffs || [])] };
  for (const field of AGENT_FIELDS) agent[field] = a[field];
  if (!Array.isArray(agent.tools)) agent.tools = [];
  if (!agent.completion_args || typeof agent.completion_args !== "object") agent.completion_args = {};
  return agent;
}

export function docFromServer(graph, agents) {
  const byId = {};
  for (const a of agents) byId[a.id] = agentFromServer(a);
  return { agents: byId, entry: graph.entry_agent || null };
}

/** JSON with object keys sorted: PostgreSQL's jsonb gives keys back in its own order. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sameValue(a, b) {
  return a === b || canonical(a) === canonical(b);
}

const sameHandoffs = (a, b) => a === b || canonical([...a].sort()) === canonical([...b].sort());

/** Same configuration, position and handoffs. */
export function sameAgent(a, b) {
  return a === b || (!!a && !!b && changedFields(a, b).length === 0);
}

/** Fields (plus "handoffs") where `agent` differs from `base`. */
export function changedFields(agent, base) {
  const changed = [];
  for (const field of AGENT_FIELDS) {
    if (!base || !sameValue(agent[field], base[field])) changed.push(field);
  }
  if (!base || !sameHandoffs(agent.handoffs, base.handoffs)) changed.push("handoffs");
  return changed;
}

export function isDirty(doc, base) {
  if (doc.entry !== base.entry) return true;
  const ids = Object.keys(doc.agents);
  if (ids.length !== Object.keys(base.agents).length) return true;
  for (const id of ids) {
    const b = base.agents[id];
    if (!b) return true;
    const a = doc.agents[id];
    if (a !== b && changedFields(a, b).length) return true;
  }
  return false;
}

export function updateAgent(doc, id, patch) {
  return { ...doc, agents: { ...doc.agents, [id]: { ...doc.agents[id], ...patch } } };
}

export function removeAgents(doc, ids) {
  const gone = new Set(ids);
  const agents = {};
  for (const [id, agent] of Object.entries(doc.agents)) {
    if (gone.has(id)) continue;
    const handoffs = agent.handoffs.filter((t) => !gone.has(t));
    agents[id] = handoffs.length === agent.handoffs.length ? agent : { ...agent, handoffs };
  }
  return { ...doc, agents, entry: gone.has(doc.entry) ? null : doc.entry };
}

export function addHandoff(doc, source, target) {
  const agent = doc.agents[source];
  if (!agent || !doc.agents[target] || source === target || agent.handoffs.includes(target)) {
    return doc;
  }
  return updateAgent(doc, source, { handoffs: [...agent.handoffs, target] });
}

export function removeHandoffs(doc, pairs) {
  let next = doc;
  for (const [source, target] of pairs) {
    const agent = next.agents[source];
    if (!agent) continue;
    next = updateAgent(next, source, { handoffs: agent.handoffs.filter((t) => t !== target) });
  }
  return next;
}

/** Replace a temporary id by the id the server gave, everywhere in the document. */
export function renameId(doc, from, to) {
  const agents = {};
  for (const [id, agent] of Object.entries(doc.agents)) {
    const key = id === from ? to : id;
    let next = id === from ? { ...agent, id: to } : agent;
    if (next.handoffs.includes(from)) {
      next = { ...next, handoffs: next.handoffs.map((t) => (t === from ? to : t)) };
    }
    agents[key] = next;
  }
  return { ...doc, agents, entry: doc.entry === from ? to : doc.entry };
}

export function uniqueName(doc, base = "New agent") {
  const names = new Set(Object.values(doc.agents).map((a) => a.name));
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base} ${i}`)) return `${base} ${i}`;
}

/** "1 agent added, 2 changed, 1 handoff removed"-style summary of unsaved changes. */
export function summarizeChanges(doc, base) {
  let added = 0;
  let removed = 0;
  let changed = 0;
  let edgesAdded = 0;
  let edgesRemoved = 0;
  const edgeSet = (d) =>
    new Set(Object.values(d.agents).flatMap((a) => a.handoffs.map((t) => `${a.id}>${t}`)));
  for (const [id, agent] of Object.entries(doc.agents)) {
    const before = base.agents[id];
    if (!before) added += 1;
    else if (changedFields(agent, before).some((f) => f !== "handoffs")) changed += 1;
  }
  for (const id of Object.keys(base.agents)) if (!doc.agents[id]) removed += 1;
  const now = edgeSet(doc);
  const then = edgeSet(base);
  for (const e of now) if (!then.has(e)) edgesAdded += 1;
  for (const e of then) if (!now.has(e)) edgesRemoved += 1;
  const parts = [];
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (added) parts.push(`${plural(added, "agent")} added`);
  if (changed) parts.push(`${plural(changed, "agent")} changed`);
  if (removed) parts.push(`${plural(removed, "agent")} removed`);
  if (edgesAdded) parts.push(`${plural(edgesAdded, "handoff")} added`);
  if (edgesRemoved) parts.push(`${plural(edgesRemoved, "handoff")} removed`);
  if (doc.entry !== base.entry) parts.push("entry agent changed");
  return parts.join(", ");
}
