// The live page's timeline: draws the projection's entries (projection.js) and keeps each one's
// DOM item up to date as the entry changes. It derives nothing from events itself; what it takes
// from an event is only how to present it (when, and who wrote a message or answered a call).
import { el, prettyJSON, safeHttpUrl } from "./util.js";

const KINDS = {
  "message.input": "user",
  "message.output": "message",
  "tool.execution": "tool",
  "function.call": "call",
  "function.result": "result",
  "agent.handoff": "handoff",
};

function timeText(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString();
}

function fileName(chunk) {
  const name = chunk.file_name || chunk.file_id || "file";
  return chunk.file_type && !name.endsWith(`.${chunk.file_type}`) ? `${name}.${chunk.file_type}` : name;
}

export function createTimeline({ state, root, pathList, projection }) {
  const agents = new Map(state.agents.map((a) => [a.id, a]));
  const byName = new Map(state.agents.map((a) => [a.name, a.id]));
  const remotes = new Map(Object.entries(state.remotes)); // backend agent id -> local id
  const rendered = new Map(Object.entries(state.rendered)); // backend entry id -> safe HTML
  const items = new Map(); // item key (the entry's, or the page's own) -> record
  const callsByToolId = new Map(); // tool_call_id -> function call record
  const renderTried = new Set();
  let currentAgent = state.entryAgent || null;

  // -- agents ---------------------------------------------------------------------------------
  function localAgent(remoteId, name) {
    if (remoteId && remotes.has(remoteId)) return remotes.get(remoteId);
    return byName.get(name || projection.agentName(remoteId)) || null;
  }

  function chip(localId, fallbackName) {
    const agent = agents.get(localId);
    return el("span", {
      class: "agent-chip",
      style: `--agent: ${agent ? agent.color : "hsl(220 8% 45%)"}`,
      text: agent ? agent.name : fallbackName || "agent",
    });
  }

  function renderPath() {
    const visited = [];
    const locals = [state.entryAgent, ...projection.agentPath().map((a) => localAgent(a.id, a.name))];
    for (const id of locals) if (id && visited[visited.length - 1] !== id) visited.push(id);
    if (!visited.length) return;
    currentAgent = visited[visited.length - 1];
    pathList.replaceChildren(
      ...visited.map((id, index) => {
        const li = el("li", {}, chip(id));
        if (index === visited.length - 1) {
          li.classList.add("current");
          li.setAttribute("aria-current", "step");
        }
        return li;
      }),
    );
    document.getElementById("conv-active-agent")?.replaceChildren(chip(currentAgent));
  }

  // -- items ----------------------------------------------------------------------------------
  function addItem(key, kind, { agent, label, created, headChip = true } = {}) {
    let record = items.get(key);
    if (record) return record;
    const agentInfo = agents.get(agent);
    const head = el(
      "div",
      { class: "entry-head" },
      kind === "user" ? el("span", { class: "who", text: label }) : agent && headChip ? chip(agent) : null,
      kind !== "user" && label ? el("span", { class: "entry-label", text: label }) : null,
      created ? el("time", { datetime: created, text: timeText(created) }) : null,
    );
    const body = el("div", { class: "entry-body" });
    const li = el(
      "li",
      {
        class: `entry entry-${kind}`,
        "data-entry": key,
        "data-kind": kind,
        style: agentInfo ? `--agent: ${agentInfo.color}` : null,
      },
      head,
      body,
    );
    root.append(li);
    record = { key, kind, li, head, body, agent };
    items.set(key, record);
    return record;
  }

  // -- message.output -------------------------------------------------------------------------
  function drawMessage(record, entry) {
    if (!record.md) {
      record.md = el("div", { class: "md streaming" });
      record.textNode = document.createTextNode(""); // appended to, not rewritten, per delta
      record.md.append(record.textNode);
      record.attachments = el("div", { class: "attachments" });
      record.body.append(record.md, record.attachments);
      record.text = "";
      record.chunkCount = 0;
      record.complete = false;
    }
    // The projection only ever appends to a message's text and chunks.
    if (entry.text.length > record.text.length) appendText(record, entry.text.slice(record.text.length));
    const chunks = entry.data.chunks || [];
    for (const chunk of chunks.slice(record.chunkCount)) if (chunk.type !== "text") addAttachment(record, chunk);
    record.chunkCount = chunks.length;
  }

  function appendText(record, text) {
    record.text += text;
    if (record.textNode.isConnected) record.textNode.appendData(text);
    else record.md.textContent = record.text; // late text after rendering: show it all as text
  }

  function addAttachment(record, chunk) {
    if (chunk.type === "tool_file") {
      const name = fileName(chunk);
      record.attachments.append(
        el("figure", { class: "file pending-file", "data-file-name": name }, el("figcaption", { text: `${name} (preparing…)` })),
      );
    } else if (chunk.type === "tool_reference") {
      const href = safeHttpUrl(chunk.url);
      const title = chunk.title || chunk.url || "reference";
      record.attachments.append(
        el(
          "p",
          { class: "reference" },
          "Source: ",
          href ? el("a", { href, rel: "noopener noreferrer nofollow", target: "_blank", text: title }) : title,
          chunk.tool ? el("span", { class: "muted", text: ` (${chunk.tool})` }) : null,
        ),
      );
    } else {
      record.attachments.append(el("pre", { class: "chunk", text: prettyJSON(chunk) }));
    }
  }

  function completeMessages() {
    const missing = [];
    for (const record of items.values()) {
      if (record.kind !== "message" || record.complete || !record.md) continue;
      record.complete = true;
      record.md.classList.remove("streaming");
      if (rendered.has(record.key)) applyRendered(record);
      else if (!renderTried.has(record.key)) missing.push(record.key);
    }
    if (missing.length) fetchRendered(missing);
  }

  function applyRendered(record) {
    // Sanitized on the server (markdown-it without raw HTML, then nh3).
    record.md.innerHTML = rendered.get(record.key);
    record.md.classList.add("rendered");
  }

  async function fetchRendered(ids) {
    ids.forEach((id) => renderTried.add(id));
    try {
      const url = `${state.urls.rendered}?ids=${encodeURIComponent(ids.join(","))}`;
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      for (const [id, value] of Object.entries(await response.json())) {
        rendered.set(id, value);
        const record = items.get(id);
        if (record?.md) applyRendered(record);
      }
    } catch {
      // Plain text stays: it is what the model said, only unformatted.
    }
  }

  // -- tool.execution, function.call ----------------------------------------------------------
  function drawTool(record, entry) {
    const { name, arguments: args = "", info, done } = entry.data;
    if (!record.details) {
      record.name = name || "tool";
      record.details = el("details", { class: "tool" });
      record.summary = el("summary", { text: `Tool ${name || "execution"}: running…` });
      record.argsPre = el("pre", { class: "code" });
      record.outputBox = el("div");
      record.details.append(record.summary, el("h4", { text: "Code and arguments" }), record.argsPre, record.outputBox);
      record.body.append(record.details);
      record.args = "";
    }
    if (args !== record.args) {
      record.args = args;
      record.argsPre.textContent = toolArgsText(args);
    }
    if (done) toolDone(record, info);
  }

  function toolArgsText(args) {
    try {
      const parsed = JSON.parse(args);
      if (parsed && typeof parsed.code === "string" && Object.keys(parsed).length === 1) return parsed.code;
      return JSON.stringify(parsed, null, 2);
    } catch {
      return args; // still streaming: the raw text
    }
  }

  function toolDone(record, info) {
    record.summary.textContent = `Tool ${record.name}: done`;
    const parts = [];
    const rest = { ...(info || {}) };
    if (typeof rest.code === "string") {
      if (!record.args) record.argsPre.textContent = rest.code;
      delete rest.code;
    }
    if (rest.code_output !== undefined) {
      parts.push(el("h4", { text: "Output" }), el("pre", { class: "code", text: String(rest.code_output) }));
      delete rest.code_output;
    }
    if (Object.keys(rest).length) {
      parts.push(el("h4", { text: "Details" }), el("pre", { class: "code", text: prettyJSON(rest) }));
    }
    record.outputBox.replaceChildren(...parts);
  }

  function drawCall(record, entry) {
    if (!record.argsPre) {
      record.name = entry.data.name || "";
      record.argsPre = el("pre", { class: "args", "aria-label": `Arguments of ${record.name}` });
      record.stateLine = el("p", { class: "call-state muted" });
      record.formBox = el("div");
      record.body.append(el("h4", { text: "Arguments" }), record.argsPre, record.stateLine, record.formBox);
    }
    record.argsPre.textContent = prettyJSON(entry.data.arguments || "");
    if (entry.data.tool_call_id) {
      record.toolCallId = entry.data.tool_call_id;
      callsByToolId.set(entry.data.tool_call_id, record);
    }
  }

  // -- agent.handoff, message.input, function.result ------------------------------------------
  function drawHandoff(record, entry) {
    const data = entry.data;
    if (!record.to) {
      record.to = el("span", { class: "handoff-to", text: "…" });
      record.body.append(
        el(
          "p",
          { class: "transition" },
          chip(record.agent, data.previous_agent_name),
          el("span", { class: "arrow", "aria-hidden": "true", text: "→" }),
          el("span", { class: "visually-hidden", text: " to " }),
          record.to,
        ),
      );
    }
    if (data.next_agent_id && record.li.dataset.to === undefined) {
      record.to.replaceChildren(chip(localAgent(data.next_agent_id, data.next_agent_name), data.next_agent_name));
      record.li.dataset.to = data.next_agent_name || "";
    }
  }

  function drawResult(record, entry, eventData) {
    const call = callsByToolId.get(entry.data.tool_call_id);
    const user = eventData.user;
    if (call?.stateLine && !call.li.classList.contains("is-pending")) {
      call.stateLine.textContent = user ? `Answered by ${user}.` : "Answered automatically.";
    }
    if (!record.body.childNodes.length) {
      record.body.append(
        el("p", { class: "muted", text: user ? `Given by ${user}` : "Given automatically" }),
        el("pre", { class: "args", text: String(entry.data.result ?? "") }),
      );
    }
  }

  // Draw the projection's entry `key` after `event` changed it.
  function drawEntry(key, event) {
    const entry = projection.entry(key);
    const kind = KINDS[entry?.type];
    if (!kind) return;
    const data = event.data || {};
    let record = items.get(key);
    if (!record) {
      const agent = entry.type === "message.input" ? null : localAgent(entry.agent_remote_id) || currentAgent;
      const label = {
        user: data.user ? `${data.user} asked` : "User",
        call: `calls ${entry.data.name || "a function"}`,
        result: `result of ${entry.data.name || "the function"}`,
        handoff: "Handoff",
      }[kind];
      record = addItem(key, kind, { agent, label, created: event.created_at, headChip: kind !== "handoff" });
    }
    if (kind === "user" && !record.body.childNodes.length) {
      record.body.append(el("div", { class: "plain", text: entry.text }));
    } else if (kind === "message") drawMessage(record, entry);
    else if (kind === "tool") drawTool(record, entry);
    else if (kind === "call") drawCall(record, entry);
    else if (kind === "handoff") {
      drawHandoff(record, entry);
      renderPath();
    } else if (kind === "result") drawResult(record, entry, data);
  }

  // A failed turn's outputs: the projection dropped them (the worker deleted them), but what was
  // seen stays visible, marked.
  function markInterrupted(keys) {
    for (const key of keys) {
      const record = items.get(key);
      if (!record || record.li.classList.contains("interrupted")) continue;
      record.li.classList.add("interrupted");
      record.head.append(el("span", { class: "badge-interrupted", text: "incomplete: the turn failed" }));
    }
    if (keys.length) renderPath();
  }

  // -- files ----------------------------------------------------------------------------------
  function fileReady(data, created) {
    const url = safeHttpUrl(data.url);
    if (!url) return;
    let figure = [...root.querySelectorAll("figure.pending-file")].find((f) => f.dataset.fileName === data.name);
    if (!figure) {
      const record = addItem(`file-${data.id}`, "file", { agent: currentAgent, label: "generated a file", created });
      figure = el("figure", { class: "file" });
      record.body.append(figure);
    }
    figure.classList.remove("pending-file");
    figure.dataset.fileId = data.id;
    const download = el("a", { href: url, download: data.name, text: `Download ${data.name}` });
    const size = el("span", { class: "muted", text: ` (${Math.max(1, Math.round((data.size || 0) / 1024))} kB)` });
    if (String(data.type || "").startsWith("image/")) {
      const img = el("img", { src: `${url}?inline=1`, alt: `Generated image ${data.name}`, loading: "lazy" });
      figure.replaceChildren(img, el("figcaption", {}, download, size));
    } else {
      figure.replaceChildren(el("figcaption", {}, download, size));
    }
  }

  renderPath();
  // `rendered` too: the history loader (loader.js) adds the HTML of each page of entries it draws.
  return { items, callsByToolId, rendered, addItem, drawEntry, markInterrupted, completeMessages, fileReady };
}
