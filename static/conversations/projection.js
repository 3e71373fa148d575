// The browser's copy of the one projection from a conversation's events to its entries: a port of
// conversations/projection.py (read its docstring for the entry shape), used by the live page and
// the editor's live overlay. conversations/tests/test_projection_js.py runs it under Node against
// the Python one on the same event fixtures, and checks its event types against the catalogue's
// JSON Schema, so keep the two in step: same input ({seq, type, data}), same output.
// Plain data and no DOM, so it runs as is in Node.

const MESSAGE_INPUT = "message.input";
const MESSAGE_OUTPUT = "message.output";
const TOOL_EXECUTION = "tool.execution";
const FUNCTION_CALL = "function.call";
const FUNCTION_RESULT = "function.result";
const AGENT_HANDOFF = "agent.handoff";
const OUTPUT_TYPES = new Set([MESSAGE_OUTPUT, TOOL_EXECUTION, FUNCTION_CALL, AGENT_HANDOFF]);
const USAGE_FIELDS = ["prompt_tokens", "completion_tokens", "total_tokens"];

// Python's `x or y` and `.get(k)`: JSON has no undefined, so an absent field reads as null.
const or = (value, fallback) => (value ? value : fallback ?? null);
const get = (data, field) => data[field] ?? null;
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

const HANDLERS = {
  "conversation.response.started"(data) {
    this.conversationId = or(data.conversation_id, this.conversationId);
    this.done = false;
    this.error = null;
    this.turnOutputs = [];
    this.retrying = null;
    return null;
  },
  "message.output.delta"(data) {
    const entry = this.entryFor(data.id, MESSAGE_OUTPUT, this.agentOf(data));
    const chunks = (entry.data.chunks ??= []);
    const content = data.content;
    if (typeof content === "string") {
      entry.text += content;
      const last = chunks[chunks.length - 1];
      if (last && last.type === "text") last.text += content;
      else chunks.push({ type: "text", text: content });
    } else if (isObject(content)) {
      const chunk = Object.fromEntries(Object.entries(content).filter(([, v]) => v !== null && v !== undefined));
      chunks.push(chunk);
      if (chunk.type === "tool_file") this.files.push([chunk, entry.key]);
      else if (chunk.type === "text") entry.text += "text" in chunk ? chunk.text : "";
    }
    return entry.key;
  },
  "tool.execution.started"(data) {
    const entry = this.entryFor(data.id, TOOL_EXECUTION, this.agentOf(data));
    Object.assign(entry.data, { name: get(data, "name"), arguments: data.arguments || "" });
    return entry.key;
  },
  "tool.execution.delta"(data) {
    const entry = this.entryFor(data.id, TOOL_EXECUTION, this.agentOf(data));
    const fields = entry.data;
    fields.arguments = (fields.arguments ?? "") + (data.arguments || "");
    if (!("name" in fields)) fields.name = get(data, "name");
    return entry.key;
  },
  "tool.execution.done"(data) {
    const entry = this.entryFor(data.id, TOOL_EXECUTION, this.agentOf(data));
    if (!("name" in entry.data)) entry.data.name = get(data, "name");
    entry.data.info = data.info || {};
    entry.data.done = true;
    return entry.key;
  },
  "agent.handoff.started"(data) {
    const previous = get(data, "previous_agent_id");
    const entry = this.entryFor(data.id, AGENT_HANDOFF, this.agentOf(data, "previous_agent_id"));
    Object.assign(entry.data, { previous_agent_id: previous, previous_agent_name: get(data, "previous_agent_name") });
    if (previous && data.previous_agent_name) this.agentNames.set(previous, data.previous_agent_name);
    return entry.key;
  },
  "agent.handoff.done"(data) {
    const entry = this.entryFor(data.id, AGENT_HANDOFF, this.activeAgentId);
    const following = get(data, "next_agent_id");
    Object.assign(entry.data, { next_agent_id: following, next_agent_name: get(data, "next_agent_name") });
    if (following) {
      if (data.next_agent_name) this.agentNames.set(following, data.next_agent_name);
      this.activeAgentId = following;
    }
    return entry.key;
  },
  "function.call.delta"(data) {
    const entry = this.entryFor(data.id, FUNCTION_CALL, this.agentOf(data));
    const fields = entry.data;
    fields.name = or(data.name, fields.name);
    fields.tool_call_id = or(data.tool_call_id, fields.tool_call_id);
    fields.arguments = (fields.arguments ?? "") + (data.arguments || "");
    return entry.key;
  },
  "conversation.response.done"(data) {
    this.usage = { ...(data.usage || {}) };
    for (const field of USAGE_FIELDS) this.totalUsage[field] += Math.trunc(Number(this.usage[field] || 0));
    this.done = true;
    return null;
  },
  "conversation.response.error"(data) {
    this.error = { message: get(data, "message"), code: get(data, "code") };
    return null;
  },
  "message.input"(data) {
    const entry = this.entryFor(data.entry, MESSAGE_INPUT, null);
    entry.text = data.content || "";
    entry.data = { content: entry.text };
    return entry.key;
  },
  "function.result"(data) {
    // The result is the calling agent's: the function.call's with the same tool_call_id.
    const toolCallId = get(data, "tool_call_id");
    const call = [...this.entries.values()].find(
      (e) => e.type === FUNCTION_CALL && (e.data.tool_call_id ?? null) === toolCallId,
    );
    const entry = this.entryFor(data.entry, FUNCTION_RESULT, call ? call.agent_remote_id : null);
    entry.data = { tool_call_id: toolCallId, result: get(data, "result"), name: get(data, "name") };
    if (data.automatic) entry.data.automatic = true;
    return entry.key;
  },
  "conversation.branched"(data) {
    // A branch's kept history, before any turn of its own: nothing a failed turn drops.
    for (const kept of data.entries || []) {
      this.entries.set(kept.key, {
        key: kept.key,
        type: kept.type,
        agent_remote_id: kept.agent_remote_id ?? null,
        agent_name: null,
        role: kept.role || "",
        text: kept.text || "",
        data: { ...(kept.data || {}) },
      });
      if (kept.agent_remote_id && kept.agent_name) this.agentNames.set(kept.agent_remote_id, kept.agent_name);
      if (kept.type === AGENT_HANDOFF && kept.data && kept.data.next_agent_id) this.activeAgentId = kept.data.next_agent_id;
    }
    return { changed: (data.entries || []).map((kept) => kept.key) };
  },
  "backend.retrying"(data) {
    this.retrying = { ...data };
    return null;
  },
  "conversation.status"(data) {
    this.retrying = null;
    // A turn starts: one that fails before its response starts drops nothing earlier.
    if (data.status === "running") this.turnOutputs = [];
    // A failed turn's half-written outputs go, as the worker deletes them.
    if (data.status !== "failed") return null;
    const dropped = this.turnOutputs.filter((key) => this.entries.delete(key));
    this.turnOutputs = [];
    return { dropped };
  },
};

// Every type of the catalogue (static/conversations/events.schema.json) is one or the other; a test
// fails when the catalogue gains a type that is in neither.
export const HANDLED_EVENT_TYPES = Object.freeze(Object.keys(HANDLERS));
// They change no entry; the pages show them on their own (forms, downloads).
export const IGNORED_EVENT_TYPES = Object.freeze(["pending.created", "pending.resolved", "file.ready"]);

export class Projection {
  // activeAgentId / activeAgentName: the backend agent that answers first, when known.
  constructor({ activeAgentId = null, activeAgentName = null } = {}) {
    this.entries = new Map(); // by key, in insertion (position) order
    this.conversationId = null;
    this.activeAgentId = activeAgentId;
    this.initialAgentId = activeAgentId;
    this.agentNames = new Map();
    if (activeAgentId && activeAgentName) this.agentNames.set(activeAgentId, activeAgentName);
    this.usage = null;
    this.totalUsage = Object.fromEntries(USAGE_FIELDS.map((f) => [f, 0]));
    this.done = false;
    this.error = null;
    this.files = []; // [chunk, entry key] of each tool_file chunk
    this.turnOutputs = [];
    this.retrying = null; // the last backend.retrying notice of the turn under way
    this.lastSeq = 0;
  }

  // -- applying ---------------------------------------------------------------------------------
  // One event as logged or sent over the socket. Events are applied once each, in seq order: one
  // at or below the last seq applied is skipped (null). Otherwise the keys of the entries it
  // created or changed, and of those it dropped (a failed turn's outputs).
  apply(event) {
    if (!event || typeof event.seq !== "number" || event.seq <= this.lastSeq) return null;
    this.lastSeq = event.seq;
    return this.applyData(event.type, event.data || {});
  }

  // The Python projection's apply(kind, data): no seq bookkeeping.
  applyData(type, data) {
    const handler = Object.hasOwn(HANDLERS, type) ? HANDLERS[type] : null;
    const result = handler ? handler.call(this, data) : null;
    if (typeof result === "string") return { changed: [result], dropped: [] };
    return { changed: result?.changed || [], dropped: result?.dropped || [] };
  }

  entryFor(key, type, agentRemoteId) {
    let entry = this.entries.get(key);
    if (!entry) {
      const role = { [MESSAGE_OUTPUT]: "assistant", [MESSAGE_INPUT]: "user" }[type] || "";
      entry = { key, type, agent_remote_id: agentRemoteId, agent_name: null, role, text: "", data: {} };
      this.entries.set(key, entry);
      if (OUTPUT_TYPES.has(type)) this.turnOutputs.push(key);
    }
    return entry;
  }

  agentOf(data, field = "agent_id") {
    return or(data[field], this.activeAgentId);
  }

  // -- reading ----------------------------------------------------------------------------------
  agentName(remoteId) {
    return this.agentNames.get(remoteId || "") ?? null;
  }

  // One entry as project_entries gives it (agent_name as far as the handoffs so far tell).
  entry(key) {
    const entry = this.entries.get(key);
    return entry ? { ...entry, agent_name: this.agentName(entry.agent_remote_id) } : null;
  }

  entryList() {
    return [...this.entries.keys()].map((key) => this.entry(key));
  }

  // The backend agents the conversation went through, in order: [{id, name}] (remote ids), from
  // the first agent known through each handoff and the agent of each entry.
  agentPath() {
    const path = [];
    const visit = (id) => {
      if (id && path[path.length - 1]?.id !== id) path.push({ id, name: this.agentName(id) });
    };
    visit(this.initialAgentId);
    for (const entry of this.entries.values()) {
      if (entry.type === AGENT_HANDOFF) {
        visit(entry.data.previous_agent_id || entry.agent_remote_id);
        visit(entry.data.next_agent_id);
      } else {
        visit(entry.agent_remote_id);
      }
    }
    return path;
  }

  // The handoffs taken (done ones): [{key, from: {id, name}, to: {id, name}}], in order.
  handoffs() {
    const out = [];
    for (const entry of this.entries.values()) {
      if (entry.type !== AGENT_HANDOFF || !entry.data.next_agent_id) continue;
      const from = entry.data.previous_agent_id || entry.agent_remote_id;
      const to = entry.data.next_agent_id;
      out.push({
        key: entry.key,
        from: { id: from, name: entry.data.previous_agent_name || this.agentName(from) },
        to: { id: to, name: entry.data.next_agent_name || this.agentName(to) },
      });
    }
    return out;
  }
}

// The entries a logged event list amounts to, in position order: conversations.projection's
// project_entries.
export function projectEntries(events) {
  const projection = new Projection();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) projection.applyData(event.type, event.data);
  return projection.entryList();
}
