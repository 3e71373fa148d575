// The editor store with a fake API: history, React Flow's changes, and the atomic save.
import { describe, expect, it } from "vitest";
import { ApiError } from "../src/api.js";
import { createEditorStore } from "../src/store.js";
import { edgeDeriver, nodeDeriver } from "../src/flowElements.js";

const agent = (id, name, extra = {}) => ({
  id,
  name,
  description: "",
  instructions: "",
  model: "mistral-small-latest",
  tools: [],
  completion_args: {},
  handoffs: [],
  position_x: 0,
  position_y: 0,
  ...extra,
});

function fakeApi(handler) {
  const calls = [];
  const api = async (method, path, body) => {
    calls.push({ method, path, body });
    return handler(method, path, body);
  };
  return { api, calls };
}

function makeStore({ agents, handler = () => ({ errors: [], warnings: [] }), canEdit = true } = {}) {
  const { api, calls } = fakeApi(handler);
  const store = createEditorStore({
    api,
    initial: {
      graph: { id: "g1", workspace: "w1", name: "Helpdesk", description: "", entry_agent: "a1", revision: 7 },
      agents: agents || [agent("a1", "triage", { handoffs: ["a2"], position_x: 10 }), agent("a2", "billing", { position_x: 400 })],
      can_edit: canEdit,
      can_run: true,
      default_model: "mistral-medium-latest",
    },
  });
  return { store, calls };
}

const view = { x: 0, y: 0, width: 1200, height: 800 };

describe("the document and its history", () => {
  it("undoes and redoes, coalescing typing in one field", () => {
    const { store } = makeStore();
    const s = store.getState();
    s.updateSelected("a1", { description: "h" }, "description");
    s.updateSelected("a1", { description: "he" }, "description");
    s.updateSelected("a1", { name: "router" }, "name");
    expect(store.getState().past.length).toBe(2);
    store.getState().undo();
    expect(store.getState().doc.agents.a1.name).toBe("triage");
    expect(store.getState().doc.agents.a1.description).toBe("he");
    store.getState().undo();
    expect(store.getState().doc).toBe(store.getState().base);
    store.getState().redo();
    expect(store.getState().doc.agents.a1.description).toBe("he");
  });

  it("refuses edits when read only", () => {
    const { store } = makeStore({ canEdit: false });
    store.getState().updateSelected("a1", { name: "x" });
    expect(store.getState().addAgent(view)).toBeNull();
    expect(store.getState().doc).toBe(store.getState().base);
  });

  it("lays out a graph whose positions were never saved left to right, without marking it dirty", () => {
    const { store } = makeStore({ agents: [agent("a1", "triage", { handoffs: ["a2"] }), agent("a2", "billing")] });
    const { doc, base } = store.getState();
    expect(doc).toBe(base);
    expect(doc.agents.a2.position_x).toBeGreaterThan(doc.agents.a1.position_x + 200);
  });
});

describe("React Flow's changes", () => {
  it("moves a card while dragging and records one undo step at the drop", () => {
    const { store } = makeStore();
    const s = store.getState();
    s.nodesChanged([{ id: "a1", type: "position", dragging: true, position: { x: 50.4, y: 5 } }]);
    s.nodesChanged([{ id: "a1", type: "position", dragging: true, position: { x: 90.6, y: 9.2 } }]);
    expect(store.getState().past.length).toBe(0);
    store.getState().nodesChanged([{ id: "a1", type: "position", dragging: false }]);
    const after = store.getState();
    expect(after.doc.agents.a1).toMatchObject({ position_x: 91, position_y: 9 });
    expect(after.past.length).toBe(1);
    after.undo();
    expect(store.getState().doc.agents.a1.position_x).toBe(10);
  });

  it("keeps selection and measured sizes out of the document", () => {
    const { store } = makeStore();
    const doc = store.getState().doc;
    store.getState().nodesChanged([
      { id: "a1", type: "select", selected: true },
      { id: "a1", type: "dimensions", dimensions: { width: 220, height: 96 } },
    ]);
    store.getState().edgesChanged([{ id: "a1->a2", type: "select", selected: true }]);
    expect(store.getState().doc).toBe(doc);
    expect(store.getState().selection()).toEqual({ agents: ["a1"], edges: ["a1->a2"] });
    store.getState().deleteSelection();
    expect(store.getState().doc.agents.a1).toBeUndefined();
    expect(store.getState().doc.agents.a2.handoffs).toEqual([]);
  });

  it("adds a handoff once, never to the agent itself", () => {
    const { store } = makeStore();
    store.getState().connect({ source: "a2", target: "a1" });
    store.getState().connect({ source: "a2", target: "a1" });
    store.getState().connect({ source: "a2", target: "a2" });
    expect(store.getState().doc.agents.a2.handoffs).toEqual(["a1"]);
  });

  it("places a new agent inside the view and selects it", () => {
    const { store } = makeStore();
    const id = store.getState().addAgent({ x: 2000, y: 2000, width: 600, height: 400 });
    const added = store.getState().doc.agents[id];
    expect(added.position_x).toBeGreaterThanOrEqual(2000);
    expect(added.position_y + 92).toBeLessThanOrEqual(2400);
    expect(added.model).toBe("mistral-medium-latest");
    expect(store.getState().selected).toEqual({ [id]: true });
  });
});

describe("derived nodes and edges", () => {
  it("keep their objects when nothing about them changed", () => {
    const { store } = makeStore();
    const nodesOf = nodeDeriver();
    const edgesOf = edgeDeriver();
    const args = () => ({ ...store.getState(), counts: {}, live: null });
    const n1 = nodesOf(args());
    const e1 = edgesOf(args());
    store.getState().updateSelected("a2", { description: "changed" });
    const n2 = nodesOf(args());
    const e2 = edgesOf(args());
    expect(n2[0]).toBe(n1[0]);
    expect(n2[1]).not.toBe(n1[1]);
    expect(e2[0]).toBe(e1[0]);
    expect(e1[0]).toMatchObject({ id: "a1->a2", ariaLabel: "Handoff from triage to billing" });
  });
});

describe("the atomic save", () => {
  const saved = (agents, revision = 8) => ({
    graph: { id: "g1", workspace: "w1", name: "Helpdesk", description: "", entry_agent: "a1", revision },
    agents,
  });

  it("sends one PUT with the revision and takes the new revision and ids from the answer", async () => {
    const { store, calls } = makeStore({
      handler: (method, path, body) =>
        method === "PUT"
          ? saved([
              agent("a1", "triage", { handoffs: ["a2"], position_x: 10 }),
              agent("a2", "billing", { position_x: 400, handoffs: ["srv-3"] }),
              { ...body.document.agents[2], id: "srv-3", position_x: body.document.agents[2].position.x, position_y: body.document.agents[2].position.y, handoffs: [] },
            ])
          : { errors: [], warnings: [] },
    });
    const id = store.getState().addAgent(view);
    store.getState().connect({ source: "a2", target: id });
    expect(await store.getState().save()).toBe(true);
    const puts = calls.filter((c) => c.method !== "GET");
    expect(puts).toHaveLength(1);
    expect(puts[0].path).toBe("/api/graphs/g1/document/");
    expect(puts[0].body.revision).toBe(7);
    expect(puts[0].body.document.agents.map((a) => a.id)).toEqual(["a1", "a2", undefined]);
    expect(puts[0].body.document.agents[1].handoffs).toEqual(["New agent"]);
    const s = store.getState();
    expect(s.graph.revision).toBe(8);
    expect(s.doc.agents.srv3).toBeUndefined();
    expect(s.doc.agents["srv-3"].name).toBe("New agent");
    expect(s.doc.agents[id]).toBeUndefined();
    expect(s.selected).toEqual({ "srv-3": true });
    expect(s.doc.agents.a2.handoffs).toEqual(["srv-3"]);
    expect(s.doc).not.toBe(undefined);
    expect(s.message.text).toBe("Saved (revision 8).");
  });

  it("keeps the edits and shows the conflict on a 409", async () => {
    const { store } = makeStore({
      handler: (method) => {
        if (method === "PUT") throw new ApiError(409, { revision: ["stale"], current_revision: 9 });
        return { errors: [], warnings: [] };
      },
    });
    store.getState().updateSelected("a1", { description: "mine" });
    expect(await store.getState().save()).toBe(false);
    const s = store.getState();
    expect(s.conflict).toEqual({ current: 9 });
    expect(s.graph.revision).toBe(7); // never guessed
    expect(s.doc.agents.a1.description).toBe("mine");
  });

  it("puts a 400's errors on the agents they name and selects the first", async () => {
    const { store } = makeStore({
      handler: (method) => {
        if (method === "PUT") throw new ApiError(400, { "document.agents[1].model": ["Must be a Mistral model name."] });
        return { errors: [], warnings: [] };
      },
    });
    store.getState().updateSelected("a2", { model: "not a model!" });
    await store.getState().save();
    const s = store.getState();
    expect(s.serverErrors).toEqual({ a2: { model: ["Must be a Mistral model name."] } });
    expect(s.selected).toEqual({ a2: true });
    expect(s.message.text).toMatch(/billing has invalid fields/);
  });

  it("does not send a document with a schema still being typed", async () => {
    const { store, calls } = makeStore();
    store.getState().setDraft("a1", "tools[0].function.parameters", "Invalid JSON");
    expect(await store.getState().save()).toBe(false);
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(0);
  });
});

describe("import", () => {
  it("offers a free name when the workspace has a graph of the same name", async () => {
    const { store } = makeStore({
      handler: () => ({ results: [{ name: "Finance" }, { name: "Finance 2" }], next: null }),
    });
    const file = { text: async () => JSON.stringify({ name: "Finance", agents: [] }) };
    await store.getState().prepareImport(file);
    expect(store.getState().dialog).toMatchObject({ kind: "import", clash: true, suggested: "Finance 3" });
  });

  it("imports into this graph as one undoable change", () => {
    const { store } = makeStore();
    store.getState().importIntoThis({ agents: [{ name: "triage" }, { name: "refunds", handoffs: ["triage"] }] });
    const doc = store.getState().doc;
    expect(Object.values(doc.agents).map((a) => a.name)).toEqual(["triage", "refunds"]);
    expect(doc.agents.a1).toBeDefined();
    store.getState().undo();
    expect(store.getState().doc).toBe(store.getState().base);
  });

  it("says so when the file is not a graph document", async () => {
    const { store } = makeStore();
    await store.getState().prepareImport({ text: async () => "{oops" });
    expect(store.getState().message.text).toMatch(/^Import failed: not a JSON file/);
    expect(store.getState().dialog).toBeNull();
  });
});
