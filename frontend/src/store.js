// The editor's one store (zustand, as React Flow documents it): the document and its history,
// the selection and measured card sizes React Flow reports, and the page's status (validation
// report, server errors, banners, dialogs, live overlay). Nodes and edges are derived from the
// document (flowElements.js), never kept beside it. Network calls go through the `api` given,
// so the store runs under vitest with a fake one.
import { createStore } from "zustand/vanilla";
import {
  addHandoff,
  docFromServer,
  isNew,
  needsFirstLayout,
  newId,
  removeAgents,
  removeHandoffs,
  uniqueName,
  updateAgent,
} from "./doc.js";
import { CARD, layoutLeftToRight, placeNewAgent, withPositions } from "./layout.js";
import { saveActions } from "./storeSave.js";

const HISTORY = 200;
const COALESCE_MS = 2000;

function pushHistory(s, next, key) {
  if (next === s.doc) return {};
  const now = Date.now();
  const coalesce = key && s.lastKey === key && now - s.lastAt < COALESCE_MS;
  return {
    doc: next,
    past: coalesce ? s.past : [...s.past.slice(-(HISTORY - 1)), s.doc],
    future: [],
    lastKey: key || null,
    lastAt: now,
  };
}

/** The initial document: positions never saved → laid out left to right (as saved, not dirty). */
export function initialDoc(graph, agents) {
  const doc = docFromServer(graph, agents);
  return needsFirstLayout(doc) ? withPositions(doc, layoutLeftToRight(doc)) : doc;
}

export function createEditorStore({ initial, api }) {
  const readOnly = !initial.can_edit;
  const doc = initialDoc(initial.graph, initial.agents);
  return createStore((set, get) => ({
    graph: initial.graph,
    readOnly,
    canRun: !!initial.can_run,
    defaultModel: initial.default_model,
    doc,
    base: doc,
    past: [],
    future: [],
    lastKey: null,
    lastAt: 0,
    dragOrigin: null,
    selected: {}, // node and edge ids → true
    measured: {}, // node id → {width, height}
    report: null,
    serverErrors: {}, // agent id → {field path: [messages]}
    drafts: {}, // agent id → {field path: error} for schema text that is not valid yet
    message: null,
    conflict: null,
    saving: false,
    dialog: null,
    live: null,
    painted: false, // the first frame with the cards is on screen

    // --- the document and its history ------------------------------------------------------
    commit(updater, key) {
      if (get().readOnly) return;
      set((s) => pushHistory(s, typeof updater === "function" ? updater(s.doc) : updater, key));
    },
    undo() {
      set((s) =>
        s.past.length
          ? { doc: s.past[s.past.length - 1], past: s.past.slice(0, -1), future: [s.doc, ...s.future], lastKey: null }
          : {},
      );
    },
    redo() {
      set((s) =>
        s.future.length ? { doc: s.future[0], future: s.future.slice(1), past: [...s.past, s.doc], lastKey: null } : {},
      );
    },

    // --- what React Flow reports --------------------------------------------------------------
    nodesChanged(changes) {
      const s = get();
      let doc = s.doc;
      let selected = s.selected;
      let measured = s.measured;
      let dragOrigin = s.dragOrigin;
      let dropped = false;
      for (const c of changes) {
        if (c.type === "dimensions" && c.dimensions) {
          const old = measured[c.id];
          if (!old || old.width !== c.dimensions.width || old.height !== c.dimensions.height) {
            if (measured === s.measured) measured = { ...measured };
            measured[c.id] = { width: c.dimensions.width, height: c.dimensions.height };
          }
        } else if (c.type === "select") {
          if (!!selected[c.id] !== c.selected) {
            if (selected === s.selected) selected = { ...selected };
            if (c.selected) selected[c.id] = true;
            else delete selected[c.id];
          }
        } else if (c.type === "position" && !s.readOnly && doc.agents[c.id]) {
          if (c.dragging && !dragOrigin) dragOrigin = s.doc;
          if (c.position) {
            const x = c.dragging ? c.position.x : Math.round(c.position.x);
            const y = c.dragging ? c.position.y : Math.round(c.position.y);
            doc = updateAgent(doc, c.id, { position_x: x, position_y: y });
          }
          if (!c.dragging) dropped = true;
        }
      }
      const patch = {};
      if (selected !== s.selected) patch.selected = selected;
      if (measured !== s.measured) {
        if (!Object.keys(s.measured).length && typeof performance !== "undefined") performance.mark("editor:measured");
        patch.measured = measured;
      }
      if (dropped) {
        // The drop rounds where the card landed and is one undoable step from where it started.
        for (const a of Object.values(doc.agents)) {
          if (a.position_x !== Math.round(a.position_x) || a.position_y !== Math.round(a.position_y)) {
            doc = updateAgent(doc, a.id, { position_x: Math.round(a.position_x), position_y: Math.round(a.position_y) });
          }
        }
        const origin = dragOrigin || s.doc;
        Object.assign(patch, pushHistory({ ...s, doc: origin }, doc, null), { dragOrigin: null });
        if (doc === origin) patch.doc = doc;
      } else if (doc !== s.doc) {
        Object.assign(patch, { doc, dragOrigin });
      }
      if (Object.keys(patch).length) set(patch);
    },
    edgesChanged(changes) {
      const s = get();
      let selected = s.selected;
      for (const c of changes) {
        if (c.type === "select" && !!selected[c.id] !== c.selected) {
          if (selected === s.selected) selected = { ...selected };
          if (c.selected) selected[c.id] = true;
          else delete selected[c.id];
        }
      }
      if (selected !== s.selected) set({ selected });
    },
    connect({ source, target }) {
      get().commit((d) => addHandoff(d, source, target));
    },

    // --- commands -----------------------------------------------------------------------------
    selectOnly(id) {
      set({ selected: id ? { [id]: true } : {} });
    },
    selection() {
      const { selected, doc } = get();
      const ids = Object.keys(selected);
      return { agents: ids.filter((id) => doc.agents[id]), edges: ids.filter((id) => id.includes("->")) };
    },
    deleteElements(agentIds, edgeIds) {
      if (!agentIds.length && !edgeIds.length) return;
      const pairs = edgeIds.map((id) => id.split("->"));
      get().commit((d) => removeHandoffs(removeAgents(d, agentIds), pairs));
      set((s) => {
        const selected = { ...s.selected };
        for (const id of [...agentIds, ...edgeIds]) delete selected[id];
        return { selected };
      });
    },
    deleteSelection() {
      const { agents, edges } = get().selection();
      get().deleteElements(agents, edges);
    },
    /** A new agent in a free spot of `view` (the visible canvas, flow coordinates); selected. */
    addAgent(view) {
      if (get().readOnly) return null;
      const id = newId();
      get().commit((d) => {
        const spot = placeNewAgent(Object.values(d.agents), view);
        const agent = {
          id,
          name: uniqueName(d),
          description: "",
          instructions: "",
          model: get().defaultModel,
          tools: [],
          completion_args: {},
          handoffs: [],
          position_x: spot.x,
          position_y: spot.y,
        };
        return { ...d, agents: { ...d.agents, [id]: agent }, entry: d.entry || id };
      });
      set({ selected: { [id]: true } });
      return id;
    },
    autoLayout() {
      const { doc, measured } = get();
      get().commit(withPositions(doc, layoutLeftToRight(doc, measured)));
    },
    updateSelected(id, patch, key) {
      get().commit((d) => (d.agents[id] ? updateAgent(d, id, patch) : d), key ? `${id}:${key}` : null);
    },
    makeEntry(id) {
      get().commit((d) => ({ ...d, entry: id }));
    },
    setDraft(agentId, key, error) {
      set((s) => {
        const perAgent = { ...(s.drafts[agentId] || {}) };
        if (error) perAgent[key] = error;
        else if (!(key in perAgent)) return {};
        else delete perAgent[key];
        return { drafts: { ...s.drafts, [agentId]: perAgent } };
      });
    },
    draftErrors() {
      const { drafts, doc } = get();
      return Object.entries(drafts)
        .filter(([id]) => doc.agents[id])
        .flatMap(([, perAgent]) => Object.values(perAgent).filter(Boolean));
    },
    setMessage(message) {
      set({ message });
    },
    setDialog(dialog) {
      set({ dialog });
    },
    setConflict(conflict) {
      set({ conflict });
    },
    setLive(live) {
      set({ live });
    },
    setPainted() {
      set({ painted: true });
    },
    async refreshReport() {
      try {
        set({ report: await api("GET", `/api/graphs/${get().graph.id}/validate/`) });
      } catch (error) {
        set({ message: { kind: "error", text: `Validation failed: ${error.message || error}` } });
      }
    },
    ...saveActions(set, get, api),
  }));
}

export { CARD, isNew };
