import { StrictMode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
} from "@xyflow/react";
import dagre from "@dagrejs/dagre";
import "@xyflow/react/dist/style.css";
import "./editor.css";
import { api, ApiError, errorText } from "./api.js";
import {
  AGENT_FIELDS,
  addHandoff,
  agentFromServer,
  changedFields,
  docFromServer,
  isDirty,
  summarizeChanges,
  isNew,
  newId,
  removeAgents,
  removeHandoffs,
  renameId,
  sameAgent,
  uniqueName,
  updateAgent,
} from "./doc.js";
import Inspector from "./Inspector.jsx";
import AgentNode from "./AgentNode.jsx";
import { RunDialog, SyncDialog } from "./Dialogs.jsx";
import { useLiveOverlay } from "./liveOverlay.js";

const nodeTypes = { agent: AgentNode };
const minimapColor = (node) =>
  node.data?.live === "active" ? "#1f8a4c" : node.data?.isEntry ? "#fa500f" : node.data?.errors ? "#c53030" : "#b8bfcc";
const DELETE_KEYS = ["Delete", "Backspace"]; // stable: React Flow re-subscribes when it changes
const DEFAULT_SIZE = { width: 220, height: 92 };
// The statuses' labels as the server defines them (base.html's "conversation-statuses" block), as
// on the other pages.
const STATUSES = JSON.parse(document.getElementById("conversation-statuses")?.textContent || "[]");
const STATUS_LABELS = Object.fromEntries(STATUSES.map((s) => [s.value, s.label]));

async function listAll(path) {
  const out = [];
  let next = path;
  while (next) {
    const page = await api("GET", next);
    if (Array.isArray(page)) return page;
    out.push(...page.results);
    const url = page.next ? new URL(page.next, location.href) : null;
    next = url ? url.pathname + url.search : null;
  }
  return out;
}

function shallowEqual(a, b) {
  if (a === b) return true;
  if (!a || !b) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
}

function issuesByAgent(report) {
  const counts = {};
  for (const [kind, items] of [
    ["errors", report?.errors || []],
    ["warnings", report?.warnings || []],
  ]) {
    for (const item of items) {
      if (!item.agent) continue;
      counts[item.agent] = counts[item.agent] || { errors: 0, warnings: 0 };
      counts[item.agent][kind] += 1;
    }
  }
  return counts;
}

function Editor({ initial }) {
  const rf = useReactFlow();
  const canEdit = initial.can_edit;
  const canRun = initial.can_run;
  const readOnly = !canEdit;
  const [graph, setGraph] = useState(initial.graph);
  const [ed, setEd] = useState(() => {
    const doc = docFromServer(initial.graph, initial.agents);
    return { doc, base: doc, past: [], future: [], lastKey: null, lastAt: 0 };
  });
  const [nodes, setNodes] = useState([]);
  const [edges, setEdges] = useState([]);
  const [report, setReport] = useState(null);
  const [serverErrors, setServerErrors] = useState({});
  const [drafts, setDrafts] = useState({});
  const [message, setMessage] = useState(null);
  const [conflict, setConflict] = useState(null);
  const [saving, setSaving] = useState(false);
  const [dialog, setDialog] = useState(null);
  const edRef = useRef(ed);
  edRef.current = ed;
  const graphRef = useRef(graph);
  graphRef.current = graph;
  // The live overlay: the conversation running on this graph, its agent path and handoffs.
  const { live, clearLive } = useLiveOverlay({ graphRef, edRef });
  const savingRef = useRef(false);
  const { doc, base } = ed;
  const dirty = useMemo(() => isDirty(doc, base), [doc, base]);
  const changes = useMemo(() => (dirty ? summarizeChanges(doc, base) : ""), [dirty, doc, base]);
  const selectedIds = useMemo(() => nodes.filter((n) => n.selected).map((n) => n.id), [nodes]);
  const selectedEdgeIds = useMemo(() => edges.filter((e) => e.selected).map((e) => e.id), [edges]);
  const selected = selectedIds.length === 1 ? doc.agents[selectedIds[0]] : null;
  // Schema fields holding text that is not a valid schema yet (only agents still in the graph).
  const draftErrors = useMemo(
    () =>
      Object.entries(drafts)
        .filter(([id]) => doc.agents[id])
        .flatMap(([, perAgent]) => Object.values(perAgent).filter(Boolean)),
    [drafts, doc],
  );

  // --- the document and its history ----------------------------------------------------------
  const commit = useCallback((updater, key) => {
    setEd((s) => {
      const next = typeof updater === "function" ? updater(s.doc) : updater;
      if (next === s.doc) return s;
      const now = Date.now();
      const coalesce = key && s.lastKey === key && now - s.lastAt < 2000;
      return {
        ...s,
        doc: next,
        past: coalesce ? s.past : [...s.past.slice(-199), s.doc],
        future: [],
        lastKey: key || null,
        lastAt: now,
      };
    });
  }, []);
  const undo = useCallback(() => {
    setEd((s) =>
      s.past.length
        ? { ...s, doc: s.past[s.past.length - 1], past: s.past.slice(0, -1), future: [s.doc, ...s.future], lastKey: null }
        : s,
    );
  }, []);
  const redo = useCallback(() => {
    setEd((s) =>
      s.future.length
        ? { ...s, doc: s.future[0], future: s.future.slice(1), past: [...s.past, s.doc], lastKey: null }
        : s,
    );
  }, []);

  // --- canvas nodes and edges derived from the document ---------------------------------------
  const counts = useMemo(() => issuesByAgent(report), [report]);
  useEffect(() => {
    setNodes((prev) => {
      const prevById = new Map(prev.map((n) => [n.id, n]));
      return Object.values(doc.agents).map((agent) => {
        const old = prevById.get(agent.id);
        const data = {
          agent,
          isEntry: doc.entry === agent.id,
          errors: counts[agent.id]?.errors || 0,
          warnings: counts[agent.id]?.warnings || 0,
          live: live && live.active === agent.id ? "active" : live?.visited?.has(agent.id) ? "visited" : null,
          readOnly,
        };
        const position = old?.dragging ? old.position : { x: agent.position_x, y: agent.position_y };
        if (old && shallowEqual(old.data, data) && old.position.x === position.x && old.position.y === position.y) {
          return old;
        }
        return {
          ...(old || {}),
          id: agent.id,
          type: "agent",
          position,
          data: old && shallowEqual(old.data, data) ? old.data : data,
          ariaLabel: `Agent ${agent.name}`,
        };
      });
    });
  }, [doc, counts, live, readOnly]);

  useEffect(() => {
    setEdges((prev) => {
      const prevById = new Map(prev.map((e) => [e.id, e]));
      const out = [];
      for (const agent of Object.values(doc.agents)) {
        for (const target of agent.handoffs) {
          if (!doc.agents[target]) continue;
          const id = `${agent.id}->${target}`;
          const old = prevById.get(id);
          const travelled = !!live?.travelled?.has(id);
          const ariaLabel = `Handoff from ${agent.name} to ${doc.agents[target].name}`;
          if (old && old.ariaLabel === ariaLabel && !!old.data?.travelled === travelled) {
            out.push(old);
            continue;
          }
          out.push({
            ...(old || {}),
            id,
            source: agent.id,
            target,
            ariaLabel,
            data: { travelled },
            className: travelled ? "travelled" : undefined,
            animated: travelled,
            markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18 },
          });
        }
      }
      return out;
    });
  }, [doc, live]);

  const onNodesChange = useCallback(
    (changes) => {
      const kept = changes.filter((c) => c.type !== "remove");
      setNodes((ns) => applyNodeChanges(kept, ns));
      const moved = kept.filter((c) => c.type === "position" && c.dragging === false && c.position);
      if (moved.length && !readOnly) {
        commit((d) => {
          let next = d;
          for (const c of moved) {
            if (!next.agents[c.id]) continue;
            next = updateAgent(next, c.id, {
              position_x: Math.round(c.position.x),
              position_y: Math.round(c.position.y),
            });
          }
          return next;
        });
      }
    },
    [commit, readOnly],
  );
  const onEdgesChange = useCallback(
    (changes) => setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== "remove"), es)),
    [],
  );
  const onConnect = useCallback(
    ({ source, target }) => {
      if (readOnly) return;
      commit((d) => addHandoff(d, source, target));
    },
    [commit, readOnly],
  );
  const deleteElements = useCallback(
    (nodeIds, edgeList) => {
      if (readOnly || (!nodeIds.length && !edgeList.length)) return;
      commit((d) => removeHandoffs(removeAgents(d, nodeIds), edgeList.map((e) => [e.source, e.target])));
    },
    [commit, readOnly],
  );
  const onDelete = useCallback(
    ({ nodes: gone, edges: cut }) => deleteElements(gone.map((n) => n.id), cut),
    [deleteElements],
  );
  const deleteSelection = useCallback(() => {
    deleteElements(
      selectedIds,
      edges.filter((e) => e.selected),
    );
  }, [deleteElements, selectedIds, edges]);

  const selectAgent = useCallback(
    (id) => {
      setNodes((ns) => ns.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })));
      setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
      const agent = edRef.current.doc.agents[id];
      if (agent) {
        const node = rf.getNode(id);
        const w = node?.measured?.width || DEFAULT_SIZE.width;
        const h = node?.measured?.height || DEFAULT_SIZE.height;
        rf.setCenter(agent.position_x + w / 2, agent.position_y + h / 2, { zoom: Math.max(rf.getZoom(), 0.9), duration: 300 });
      }
    },
    [rf],
  );

  // --- commands -------------------------------------------------------------------------------
  const addAgent = useCallback(() => {
    if (readOnly) return;
    const box = document.querySelector(".editor-canvas")?.getBoundingClientRect();
    const center = box
      ? rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 })
      : { x: 0, y: 0 };
    const id = newId();
    commit((d) => {
      // The viewport's centre, moved down (then right) until the new card overlaps no other card.
      const spot = { x: Math.round(center.x - DEFAULT_SIZE.width / 2), y: Math.round(center.y - DEFAULT_SIZE.height / 2) };
      const others = Object.values(d.agents);
      const overlaps = (p) =>
        others.some(
          (a) => Math.abs(a.position_x - p.x) < DEFAULT_SIZE.width + 20 && Math.abs(a.position_y - p.y) < DEFAULT_SIZE.height + 20,
        );
      for (let i = 0; i < 60 && overlaps(spot); i++) {
        if (i % 3 === 2) {
          spot.x -= 2 * (DEFAULT_SIZE.width + 60);
          spot.y += DEFAULT_SIZE.height + 40;
        } else spot.x += DEFAULT_SIZE.width + 60;
      }
      const agent = {
        id,
        name: uniqueName(d),
        description: "",
        instructions: "",
        model: initial.default_model,
        tools: [],
        completion_args: {},
        handoffs: [],
        position_x: spot.x,
        position_y: spot.y,
      };
      return { ...d, agents: { ...d.agents, [id]: agent }, entry: d.entry || id };
    });
    setTimeout(() => {
      setNodes((ns) => ns.map((n) => ({ ...n, selected: n.id === id })));
      setEdges((es) => es.map((e) => (e.selected ? { ...e, selected: false } : e)));
    }, 0);
  }, [commit, rf, readOnly, initial.default_model]);

  const autoLayout = useCallback(() => {
    if (readOnly) return;
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 90, marginx: 20, marginy: 20 });
    g.setDefaultEdgeLabel(() => ({}));
    const d = edRef.current.doc;
    for (const id of Object.keys(d.agents)) {
      const node = rf.getNode(id);
      g.setNode(id, {
        width: node?.measured?.width || DEFAULT_SIZE.width,
        height: node?.measured?.height || DEFAULT_SIZE.height,
      });
    }
    for (const agent of Object.values(d.agents)) for (const t of agent.handoffs) g.setEdge(agent.id, t);
    dagre.layout(g);
    commit((cur) => {
      let next = cur;
      for (const id of Object.keys(cur.agents)) {
        const n = g.node(id);
        if (!n) continue;
        next = updateAgent(next, id, {
          position_x: Math.round(n.x - n.width / 2),
          position_y: Math.round(n.y - n.height / 2),
        });
      }
      return next;
    });
    setTimeout(() => rf.fitView({ duration: 200, maxZoom: 1 }), 50);
  }, [commit, rf, readOnly]);

  const refreshReport = useCallback(async () => {
    try {
      setReport(await api("GET", `/api/graphs/${graphRef.current.id}/validate/`));
    } catch (error) {
      setMessage({ kind: "error", text: `Validation failed: ${errorText(error)}` });
    }
  }, []);
  useEffect(() => {
    refreshReport();
  }, [refreshReport]);

  const reload = useCallback(async () => {
    try {
      const [g, agents] = await Promise.all([
        api("GET", `/api/graphs/${graphRef.current.id}/`),
        listAll(`/api/agents/?graph=${graphRef.current.id}`),
      ]);
      const fresh = docFromServer(g, agents);
      setGraph(g);
      setEd({ doc: fresh, base: fresh, past: [], future: [], lastKey: null, lastAt: 0 });
      setServerErrors({});
      setDrafts({});
      setConflict(null);
      setMessage({ kind: "ok", text: `Reloaded revision ${g.revision}.` });
      refreshReport();
    } catch (error) {
      setMessage({ kind: "error", text: `Reload failed: ${errorText(error)}` });
    }
  }, [refreshReport]);

  /** Send the differences between the document and the last saved state, one request each. */
  const save = useCallback(async () => {
    if (readOnly || savingRef.current) return;
    if (draftErrors.length) {
      setMessage({ kind: "error", text: "Not saved: fix the invalid JSON schema first." });
      return;
    }
    savingRef.current = true;
    setSaving(true);
    setMessage({ kind: "info", text: "Saving…" });
    let { doc: work, base: saved } = edRef.current;
    let revision = graphRef.current.revision;
    let current = null;
    const renames = {};
    const adopt = (id, sentAgent, serverAgent) => {
      saved = { ...saved, agents: { ...saved.agents, [id]: serverAgent } };
      // If nobody typed during the request, take the server's (normalised) version.
      setEd((s) =>
        sameAgent(s.doc.agents[id], sentAgent) ? { ...s, doc: updateAgent(s.doc, id, serverAgent) } : s,
      );
    };
    try {
      for (const id of Object.keys(saved.agents)) {
        if (work.agents[id]) continue;
        current = id;
        await api("DELETE", `/api/agents/${id}/?revision=${revision}`);
        revision += 1;
        saved = removeAgents(saved, [id]);
      }
      for (const agent of Object.values(work.agents)) {
        if (!isNew(agent.id)) continue;
        current = agent.id;
        const body = { graph: graphRef.current.id, revision };
        for (const field of AGENT_FIELDS) body[field] = agent[field];
        const created = await api("POST", "/api/agents/", body);
        revision = created.revision;
        renames[agent.id] = created.id;
        const rename = (d) => renameId(d, agent.id, created.id);
        work = rename(work);
        saved = { ...saved, agents: { ...saved.agents, [created.id]: agentFromServer(created) } };
        setEd((s) => ({ ...s, doc: rename(s.doc), past: s.past.map(rename), future: s.future.map(rename) }));
        setNodes((ns) => ns.map((n) => (n.id === agent.id ? { ...n, id: created.id } : n)));
        setServerErrors((e) => {
          const { [agent.id]: _, ...rest } = e;
          return rest;
        });
      }
      for (const agent of Object.values(work.agents)) {
        const fields = changedFields(agent, saved.agents[agent.id]);
        if (!fields.length) continue;
        current = agent.id;
        const body = { revision };
        for (const field of fields) body[field] = agent[field];
        const updated = await api("PATCH", `/api/agents/${agent.id}/`, body);
        revision = updated.revision;
        adopt(agent.id, agent, agentFromServer(updated));
        setServerErrors((e) => {
          const { [agent.id]: _, ...rest } = e;
          return rest;
        });
      }
      if (work.entry !== saved.entry && (!work.entry || work.agents[work.entry])) {
        current = null;
        const g = await api("PATCH", `/api/graphs/${graphRef.current.id}/`, {
          entry_agent: work.entry,
          revision,
        });
        revision = g.revision;
        saved = { ...saved, entry: g.entry_agent };
        setGraph(g);
      }
      setServerErrors({});
      setMessage({ kind: "ok", text: `Saved (revision ${revision}).` });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        setConflict({ current: error.body?.current_revision });
        setMessage(null);
      } else if (error instanceof ApiError && error.status === 400 && current) {
        const id = renames[current] || current;
        setServerErrors((e) => ({ ...e, [id]: error.body || {} }));
        setMessage({ kind: "error", text: `Not saved: ${work.agents[id]?.name || "an agent"} has invalid fields (shown in the inspector).` });
        setTimeout(() => selectAgent(id), 0);
      } else {
        setMessage({ kind: "error", text: `Not saved: ${errorText(error)}` });
      }
    } finally {
      setEd((s) => ({ ...s, base: saved }));
      setGraph((g) => ({ ...g, revision }));
      savingRef.current = false;
      setSaving(false);
      refreshReport();
    }
  }, [draftErrors.length, readOnly, refreshReport, selectAgent]);

  const ensureSaved = useCallback(async () => {
    if (!isDirty(edRef.current.doc, edRef.current.base)) return true;
    if (readOnly) return false;
    await save();
    return !isDirty(edRef.current.doc, edRef.current.base);
  }, [readOnly, save]);

  const sync = useCallback(async () => {
    if (!(await ensureSaved())) return;
    setMessage({ kind: "info", text: "Syncing to the backend…" });
    try {
      const result = await api("POST", `/api/graphs/${graphRef.current.id}/sync/`);
      setDialog({ kind: "sync", result });
      setMessage({ kind: "ok", text: `Synced ${result.agents.length} agent(s) to ${result.backend}.` });
    } catch (error) {
      setMessage({ kind: "error", text: `Sync failed: ${errorText(error)}` });
    }
  }, [ensureSaved]);

  const exportGraph = useCallback(async () => {
    try {
      const documentJson = await api("GET", `/api/graphs/${graphRef.current.id}/export/`);
      const blob = new Blob([JSON.stringify(documentJson, null, 2)], { type: "application/json" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${graphRef.current.name.replace(/[^\w.-]+/g, "_") || "graph"}.json`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
      setMessage({ kind: "ok", text: "Exported." });
    } catch (error) {
      setMessage({ kind: "error", text: `Export failed: ${errorText(error)}` });
    }
  }, []);

  const importGraph = useCallback(async (file) => {
    if (!file) return;
    try {
      const documentJson = JSON.parse(await file.text());
      const created = await api("POST", "/api/graphs/import/", {
        workspace: graphRef.current.workspace,
        document: documentJson,
      });
      location.assign(`/graphs/${created.id}/edit/`);
    } catch (error) {
      const text = error instanceof SyntaxError ? `not a JSON file (${error.message})` : errorText(error);
      setMessage({ kind: "error", text: `Import failed: ${text}` });
    }
  }, []);

  const openRun = useCallback(async () => {
    if (!(await ensureSaved())) {
      setMessage({ kind: "error", text: "Save the graph before running it." });
      return;
    }
    setDialog({ kind: "run" });
  }, [ensureSaved]);

  // --- keyboard -------------------------------------------------------------------------------
  useEffect(() => {
    const onKey = (event) => {
      const mod = event.ctrlKey || event.metaKey;
      const inField = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
      const key = event.key.toLowerCase();
      if (mod && key === "s") {
        event.preventDefault();
        save();
      } else if (mod && !inField && ((key === "z" && event.shiftKey) || key === "y")) {
        event.preventDefault();
        redo();
      } else if (mod && !inField && key === "z") {
        event.preventDefault();
        undo();
      } else if (!mod && !event.altKey && !inField && !dialog) {
        if (key === "n" && !readOnly) {
          event.preventDefault();
          addAgent();
        } else if (key === "l" && !readOnly) {
          event.preventDefault();
          autoLayout();
        } else if (key === "f") {
          event.preventDefault();
          rf.fitView({ duration: 200, maxZoom: 1 });
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [save, undo, redo, addAgent, autoLayout, rf, readOnly, dialog]);

  useEffect(() => {
    const warn = (event) => {
      if (isDirty(edRef.current.doc, edRef.current.base)) {
        event.preventDefault();
        event.returnValue = "";
      }
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  // The shell fills the window below the site's header and banners.
  const shellRef = useRef(null);
  useEffect(() => {
    const fit = () => {
      const shell = shellRef.current;
      if (!shell) return;
      const top = shell.getBoundingClientRect().top + window.scrollY;
      shell.style.height = `${Math.max(480, window.innerHeight - top)}px`;
    };
    fit();
    window.addEventListener("resize", fit);
    return () => window.removeEventListener("resize", fit);
  }, []);

  // --- render ---------------------------------------------------------------------------------
  const agentCount = Object.keys(doc.agents).length;
  const edgeCount = edges.length;
  const onDraft = useCallback(
    (agentId) => (key, error) =>
      setDrafts((d) => {
        const perAgent = { ...(d[agentId] || {}) };
        if (error) perAgent[key] = error;
        else delete perAgent[key];
        return { ...d, [agentId]: perAgent };
      }),
    [],
  );
  const issueList = (items, kind) =>
    items.map((item, i) => (
      <li key={`${kind}-${i}`} className={`issue issue-${kind}`}>
        {item.agent && doc.agents[item.agent] ? (
          <button type="button" className="link" onClick={() => selectAgent(item.agent)}>
            <span className="issue-kind">{kind === "error" ? "Error" : "Warning"}</span> {item.agent_name}: {item.message}
          </button>
        ) : (
          <span>
            <span className="issue-kind">{kind === "error" ? "Error" : "Warning"}</span>{" "}
            {item.agent_name ? `${item.agent_name}: ` : ""}
            {item.message}
          </span>
        )}
      </li>
    ));

  return (
    <div className="editor-shell" ref={shellRef}>
      <div className="editor-toolbar" role="toolbar" aria-label="Graph editor">
        <h1 className="editor-title">
          <a href={initial.urls.graphs}>Graphs</a> / {graph.name}
        </h1>
        {canEdit && (
          <>
            <button type="button" onClick={addAgent} aria-label="Add agent" aria-keyshortcuts="N" title="Add agent (N)">
              + Agent
            </button>
            <button
              type="button"
              onClick={deleteSelection}
              disabled={!selectedIds.length && !selectedEdgeIds.length}
              aria-keyshortcuts="Delete"
              title="Delete the selected agents and handoffs (Delete)"
            >
              Delete
            </button>
            <button type="button" onClick={autoLayout} aria-keyshortcuts="L" title="Arrange the graph automatically (L)">
              Auto layout
            </button>
          </>
        )}
        <button type="button" onClick={() => rf.fitView({ duration: 200, maxZoom: 1 })} aria-keyshortcuts="F" title="Fit the graph in view (F)">
          Fit view
        </button>
        {canEdit && (
          <>
            <button type="button" onClick={undo} disabled={!ed.past.length} aria-keyshortcuts="Control+Z" title="Undo (Ctrl+Z)">
              Undo
            </button>
            <button type="button" onClick={redo} disabled={!ed.future.length} aria-keyshortcuts="Control+Shift+Z" title="Redo (Ctrl+Shift+Z)">
              Redo
            </button>
            <button
              type="button"
              className="primary-action"
              onClick={save}
              disabled={saving || !dirty}
              aria-keyshortcuts="Control+S"
              title="Save (Ctrl+S)"
            >
              {saving ? "Saving…" : "Save"}
            </button>
          </>
        )}
        <span className={`save-state ${dirty ? "dirty" : "clean"}`} role="status" aria-live="polite">
          {readOnly ? "Read only" : dirty ? "● Unsaved changes" : "All changes saved"}
          {changes && <span className="muted"> ({changes})</span>}
        </span>
        <span className="toolbar-spacer" />
        {canEdit && (
          <button type="button" onClick={sync} title="Push the agents and their handoffs to the backend">
            Sync
          </button>
        )}
        {canRun && (
          <button type="button" onClick={openRun} disabled={!agentCount} aria-label="Run" title="Start a conversation with this graph">
            ▶ Run
          </button>
        )}
        <button type="button" onClick={exportGraph} title="Download the graph as a JSON document">
          Export
        </button>
        {canEdit && (
          <label className="file-button">
            Import
            <input
              type="file"
              accept="application/json,.json"
              aria-label="Import a graph from a JSON file"
              onChange={(e) => {
                importGraph(e.target.files[0]);
                e.target.value = "";
              }}
            />
          </label>
        )}
      </div>
      {conflict && (
        <div className="editor-banner conflict" role="alert">
          <strong>Conflict:</strong> someone else changed this graph since you loaded it
          {conflict.current ? ` (it is now at revision ${conflict.current})` : ""}. Your changes were not
          saved. <button type="button" onClick={reload}>Reload the graph</button>{" "}
          <span className="muted">(discards your unsaved changes)</span>{" "}
          <button type="button" className="link" onClick={() => setConflict(null)}>
            Dismiss
          </button>
        </div>
      )}
      {message && (
        <div className={`editor-banner ${message.kind}`} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}{" "}
          <button type="button" className="link" aria-label="Dismiss message" onClick={() => setMessage(null)}>
            ×
          </button>
        </div>
      )}
      {live && (
        <div className="editor-banner live" role="status">
          Live: <a href={`${initial.urls.live}${live.conversation}/`}>conversation</a> {STATUS_LABELS[live.status] || live.status}
          {live.active && doc.agents[live.active] ? ` — active agent ${doc.agents[live.active].name}` : ""}.{" "}
          <button type="button" className="link" onClick={clearLive}>
            Clear overlay
          </button>
        </div>
      )}
      <div className="editor-body">
        <div className="editor-canvas" aria-label="Graph canvas">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onDelete={onDelete}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            deleteKeyCode={readOnly ? null : DELETE_KEYS}
            fitView
            fitViewOptions={{ maxZoom: 1 }}
            minZoom={0.05}
            maxZoom={2}
            onlyRenderVisibleElements={agentCount > 120}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={20} />
            <Controls aria-label="Zoom controls" showInteractive={false} />
            <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={minimapColor} nodeStrokeWidth={3} />
          </ReactFlow>
          <div className="canvas-stats" aria-hidden="true">
            {agentCount} agents · {edgeCount} handoffs · revision {graph.revision}
          </div>
        </div>
        <aside className="editor-side" aria-label="Details">
          <section className="validation" aria-label="Validation">
            <h2>
              Validation{" "}
              <button type="button" className="small" onClick={refreshReport} aria-label="Re-run validation">
                ↻
              </button>
            </h2>
            {dirty && <p className="muted">Checks the saved graph; save to update.</p>}
            {!report ? (
              <p className="muted">Checking…</p>
            ) : report.errors.length + report.warnings.length === 0 ? (
              <p className="ok">No problems found.</p>
            ) : (
              <ul className="issues">
                {issueList(report.errors, "error")}
                {issueList(report.warnings, "warning")}
              </ul>
            )}
          </section>
          {selected ? (
            <Inspector
              key={selected.id}
              agent={selected}
              doc={doc}
              readOnly={readOnly}
              errors={serverErrors[selected.id]}
              isEntry={doc.entry === selected.id}
              knownModels={initial.known_models}
              onChange={(patch, key) => commit((d) => (d.agents[selected.id] ? updateAgent(d, selected.id, patch) : d), key ? `${selected.id}:${key}` : null)}
              onDraft={onDraft(selected.id)}
              onMakeEntry={() => commit((d) => ({ ...d, entry: selected.id }))}
              onDelete={() => deleteElements([selected.id], [])}
              onSelect={selectAgent}
            />
          ) : (
            <section className="inspector empty">
              <h2>Inspector</h2>
              <p className="muted">
                {selectedIds.length > 1
                  ? `${selectedIds.length} agents selected.`
                  : "Select an agent to edit it. Drag from a card's right handle to another card to add a handoff."}
              </p>
            </section>
          )}
        </aside>
      </div>
      {dialog?.kind === "run" && (
        <RunDialog
          agents={Object.values(doc.agents)}
          entry={doc.entry}
          onClose={() => setDialog(null)}
          onStarted={(conversation) => location.assign(`${initial.urls.live}${conversation.id}/`)}
        />
      )}
      {dialog?.kind === "sync" && (
        <SyncDialog result={dialog.result} agents={doc.agents} onClose={() => setDialog(null)} />
      )}
    </div>
  );
}

const root = document.getElementById("editor-root");
if (root) {
  const initial = JSON.parse(document.getElementById("editor-data").textContent);
  createRoot(root).render(
    <StrictMode>
      <ReactFlowProvider>
        <Editor initial={initial} />
      </ReactFlowProvider>
    </StrictMode>,
  );
}
