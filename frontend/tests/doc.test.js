// The document logic: the save document, the server's errors put on agents, adopting a save,
// first layout, import into this graph.
import { describe, expect, it } from "vitest";
import {
  adoptSaved,
  docFromImport,
  docFromServer,
  errorsByAgent,
  isDirty,
  needsFirstLayout,
  toSaveDocument,
} from "../src/doc.js";

const server = (id, name, extra = {}) => ({
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
const GRAPH = { id: "g", name: "Helpdesk", description: "d", entry_agent: "a1", revision: 4 };

describe("toSaveDocument", () => {
  it("names handoffs and the entry, keeps ids of saved agents and leaves them off new ones", () => {
    const doc = docFromServer(GRAPH, [server("a1", "triage", { handoffs: ["new-9"] }), server("a2", "billing")]);
    doc.agents["new-9"] = { ...server("new-9", "refunds"), handoffs: ["a1", "gone"] };
    const { ids, document } = toSaveDocument(doc, GRAPH);
    expect(ids).toEqual(["a1", "a2", "new-9"]);
    expect(document.name).toBe("Helpdesk");
    expect(document.entry_agent).toBe("triage");
    expect(document.agents[0]).toMatchObject({ id: "a1", name: "triage", handoffs: ["refunds"], position: { x: 0, y: 0 } });
    expect(document.agents[2].id).toBeUndefined();
    expect(document.agents[2].handoffs).toEqual(["triage"]); // a handoff to a deleted agent is dropped
    expect(Object.keys(document.agents[1]).sort()).toEqual(
      ["completion_args", "description", "handoffs", "id", "instructions", "model", "name", "position", "tools"],
    );
  });

  it("sends no entry when the entry agent was deleted", () => {
    const doc = { agents: { a2: server("a2", "billing") }, entry: "a1" };
    expect(toSaveDocument(doc, GRAPH).document.entry_agent).toBeNull();
  });
});

describe("errorsByAgent", () => {
  it("puts document.agents[i] paths on the i-th agent in the inspector's keys", () => {
    const body = {
      "document.agents[1].tools[0].function.name": ["Bad name."],
      "document.agents[1].position.x": ["Too far."],
      "document.agents[0]": ["Must be an agent object."],
      "document.entry_agent": ["Must be the name of an agent in the document."],
      "document": ["Nested too deeply."],
    };
    const { perAgent, general } = errorsByAgent(body, ["a", "b"]);
    expect(perAgent.b).toEqual({ "tools[0].function.name": ["Bad name."], position_x: ["Too far."] });
    expect(perAgent.a).toEqual({ non_field_errors: ["Must be an agent object."] });
    expect(general).toEqual(["entry_agent: Must be the name of an agent in the document.", "Nested too deeply."]);
  });
});

describe("adoptSaved", () => {
  it("gives new agents the server's ids and keeps unchanged agents' objects", () => {
    const before = docFromServer(GRAPH, [server("a1", "triage")]);
    const sent = { ...before, agents: { ...before.agents, "new-1": server("new-1", "refunds", { handoffs: ["a1"] }) } };
    const fresh = docFromServer(GRAPH, [server("a1", "triage"), server("s-7", "refunds", { handoffs: ["a1"] })]);
    const { doc, base, renames } = adoptSaved(sent, sent, fresh);
    expect(renames).toEqual({ "new-1": "s-7" });
    expect(Object.keys(doc.agents).sort()).toEqual(["a1", "s-7"]);
    expect(doc.agents.a1).toBe(sent.agents.a1); // identity: the card does not re-render
    expect(isDirty(doc, base)).toBe(false);
  });

  it("keeps what the user typed while the save was on its way", () => {
    const sent = docFromServer(GRAPH, [server("a1", "triage"), server("a2", "billing")]);
    const typing = { ...sent, agents: { ...sent.agents, a2: { ...sent.agents.a2, description: "typed later" } } };
    const fresh = docFromServer(GRAPH, [server("a1", "triage"), server("a2", "billing")]);
    const { doc, base } = adoptSaved(typing, sent, fresh);
    expect(doc.agents.a2.description).toBe("typed later");
    expect(isDirty(doc, base)).toBe(true);
  });
});

describe("needsFirstLayout", () => {
  it("is true only when two or more agents were never placed", () => {
    const placed = docFromServer(GRAPH, [server("a", "a"), server("b", "b", { position_x: 300 })]);
    const never = docFromServer(GRAPH, [server("a", "a"), server("b", "b")]);
    expect(needsFirstLayout(placed)).toBe(false);
    expect(needsFirstLayout(never)).toBe(true);
    expect(needsFirstLayout(docFromServer(GRAPH, [server("a", "a")]))).toBe(false);
  });
});

describe("docFromImport", () => {
  it("keeps the ids of our agents with the same name and makes the others new", () => {
    const ours = docFromServer(GRAPH, [server("a1", "triage"), server("a2", "billing")]);
    let n = 0;
    const imported = docFromImport(
      {
        entry_agent: "refunds",
        agents: [
          { name: "triage", handoffs: ["refunds"], position: { x: 5, y: 6 } },
          { name: "refunds", tools: [{ type: "web_search" }] },
        ],
      },
      ours,
      () => `new-t${++n}`,
    );
    expect(Object.keys(imported.agents)).toEqual(["a1", "new-t1"]);
    expect(imported.agents.a1.handoffs).toEqual(["new-t1"]);
    expect(imported.agents.a1.position_x).toBe(5);
    expect(imported.entry).toBe("new-t1");
    expect(() => docFromImport({ name: "x" }, ours)).toThrow(/no list of agents/);
  });
});
