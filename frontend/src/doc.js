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

// --- the save document ----------------------------------------------------------------------

/** What PUT /api/graphs/{id}/document/ takes: the portable document (handoffs and entry agent by
 * name), each agent that exists on the server with its id. Returns the ids in order too, so the
 * server's `document.agents[i]…` errors can be put on the right agent. */
export function toSaveDocument(doc, graph) {
  const agents = Object.values(doc.agents);
  const nameOf = (id) => doc.agents[id]?.name;
  return {
    ids: agents.map((a) => a.id),
    document: {
      format: "agentstudio.graph",
      version: 1,
      name: graph.name,
      description: graph.description || "",
      entry_agent: doc.entry && doc.agents[doc.entry] ? nameOf(doc.entry) : null,
      agents: agents.map((a) => {
        const item = {};
        if (!isNew(a.id)) item.id = a.id;
        for (const field of ["name", "description", "instructions", "model", "tools", "completion_args"]) {
          item[field] = a[field];
        }
        item.handoffs = a.handoffs.filter((t) => doc.agents[t]).map(nameOf);
        item.position = { x: a.position_x, y: a.position_y };
        return item;
      }),
    },
  };
}

const AGENT_PATH = /^document\.agents\[(\d+)\](?:\.(.+))?$/;

/** The server's 400 body, split into per-agent errors (keyed as the inspector reads them:
 * "tools[0].function.name") and the rest (whole-document problems). */
export function errorsByAgent(body, ids) {
  const perAgent = {};
  const general = [];
  for (const [key, value] of Object.entries(body || {})) {
    const messages = Array.isArray(value) ? value : [String(value)];
    const match = AGENT_PATH.exec(key);
    const id = match ? ids[Number(match[1])] : undefined;
    if (id === undefined) {
      const where = key.replace(/^document\.?/, "");
      general.push(...messages.map((m) => (where ? `${where}: ${m}` : m)));
      continue;
    }
    const field = match[2] || "non_field_errors";
    perAgent[id] = perAgent[id] || {};
    perAgent[id][field === "position.x" ? "position_x" : field === "position.y" ? "position_y" : field] = messages;
  }
  return { perAgent, general };
}

/** After a save: the server's agents (fresh), with the temporary ids of new agents matched to
 * theirs by name. Agents that did not change keep their object, so nothing re-renders; if the
 * user edited during the request (`current` is not `sent`), their edits stay on top. */
export function adoptSaved(current, sent, fresh) {
  const renames = {};
  const freshByName = {};
  for (const agent of Object.values(fresh.agents)) freshByName[agent.name] = agent.id;
  for (const agent of Object.values(sent.agents)) {
    if (isNew(agent.id) && freshByName[agent.name]) renames[agent.id] = freshByName[agent.name];
  }
  const rename = (d) => Object.entries(renames).reduce((acc, [from, to]) => renameId(acc, from, to), d);
  const renamedSent = rename(sent);
  let doc = rename(current);
  const agents = {};
  for (const [id, serverAgent] of Object.entries(fresh.agents)) {
    const mine = renamedSent.agents[id];
    // Keep my object where the server stored what I sent: identity keeps the card as it is.
    agents[id] = mine && sameAgent(mine, serverAgent) ? mine : serverAgent;
  }
  const base = { agents, entry: fresh.entry };
  if (current === sent) doc = { agents: { ...agents }, entry: fresh.entry };
  else {
    // Edits made during the request: where the user did not touch an agent, take the saved one.
    const next = {};
    for (const [id, agent] of Object.entries(doc.agents)) {
      next[id] = renamedSent.agents[id] === agent && agents[id] ? agents[id] : agent;
    }
    doc = { ...doc, agents: next };
  }
  return { doc, base, renames, rename };
}

/** Positions were never saved: two or more agents, all on one spot (an import without
 * positions, the demo graphs). */
export function needsFirstLayout(doc) {
  const agents = Object.values(doc.agents);
  if (agents.length < 2) return false;
  const [first] = agents;
  return agents.every((a) => a.position_x === first.position_x && a.position_y === first.position_y);
}

/** The imported document mapped onto this graph: agents with the name of one of ours keep its
 * id (and so its history); the others are new. The graph's own name stays. */
export function docFromImport(documentJson, doc, makeId = newId) {
  const items = Array.isArray(documentJson?.agents) ? documentJson.agents : null;
  if (!items) throw new Error("not a graph document (it has no list of agents)");
  const ours = {};
  for (const agent of Object.values(doc.agents)) ours[agent.name] = agent.id;
  // One id per item (a duplicate name gets its own, for the server to refuse by name); handoffs
  // go to the first agent of a name.
  const used = new Set();
  const itemIds = items.map((item) => {
    const id = ours[item?.name] && !used.has(ours[item.name]) ? ours[item.name] : makeId();
    used.add(id);
    return id;
  });
  const idOf = {};
  items.forEach((item, i) => {
    if (!(item?.name in idOf)) idOf[item?.name] = itemIds[i];
  });
  const agents = {};
  for (const [i, item] of items.entries()) {
    if (!item || typeof item !== "object") continue;
    const id = itemIds[i];
    agents[id] = {
      id,
      name: item.name,
      description: item.description ?? "",
      instructions: item.instructions ?? "",
      model: item.model ?? "mistral-medium-latest",
      tools: Array.isArray(item.tools) ? item.tools : [],
      completion_args: item.completion_args && typeof item.completion_args === "object" ? item.completion_args : {},
      handoffs: (Array.isArray(item.handoffs) ? item.handoffs : []).map((n) => idOf[n]).filter(Boolean),
      position_x: item.position?.x ?? 0,
      position_y: item.position?.y ?? 0,
    };
  }
  return { agents, entry: documentJson.entry_agent ? idOf[documentJson.entry_agent] || null : null };
}
