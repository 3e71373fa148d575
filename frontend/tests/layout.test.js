import { describe, expect, it } from "vitest";
import { CARD, layoutLeftToRight, placeNewAgent, withPositions } from "../src/layout.js";

const agent = (id, handoffs = [], x = 0, y = 0) => ({ id, name: id, handoffs, position_x: x, position_y: y });

describe("layoutLeftToRight", () => {
  it("puts each handoff's target to the right of its source", () => {
    const doc = { agents: { a: agent("a", ["b", "c"]), b: agent("b", ["d"]), c: agent("c"), d: agent("d") }, entry: "a" };
    const p = layoutLeftToRight(doc);
    expect(p.b.x).toBeGreaterThan(p.a.x + CARD.width);
    expect(p.c.x).toBeGreaterThan(p.a.x + CARD.width);
    expect(p.d.x).toBeGreaterThan(p.b.x + CARD.width);
    // Siblings stack vertically without overlapping.
    expect(Math.abs(p.b.y - p.c.y)).toBeGreaterThanOrEqual(CARD.height);
  });

  it("keeps the objects of agents that did not move", () => {
    const doc = { agents: { a: agent("a", [], 20, 20), b: agent("b") }, entry: null };
    const next = withPositions(doc, { a: { x: 20, y: 20 }, b: { x: 400, y: 20 } });
    expect(next.agents.a).toBe(doc.agents.a);
    expect(next.agents.b.position_x).toBe(400);
  });
});

describe("placeNewAgent", () => {
  const view = { x: 0, y: 0, width: 1000, height: 600 };

  it("takes the centre of the view when it is free", () => {
    expect(placeNewAgent([], view)).toEqual({ x: 500 - CARD.width / 2, y: 300 - CARD.height / 2 });
  });

  it("moves to a free spot still inside the view when the centre is taken", () => {
    const taken = [agent("a", [], 500 - CARD.width / 2, 300 - CARD.height / 2)];
    const p = placeNewAgent(taken, view);
    expect(p).not.toEqual({ x: taken[0].position_x, y: taken[0].position_y });
    expect(p.x).toBeGreaterThanOrEqual(0);
    expect(p.y).toBeGreaterThanOrEqual(0);
    expect(p.x + CARD.width).toBeLessThanOrEqual(1000);
    expect(p.y + CARD.height).toBeLessThanOrEqual(600);
  });

  it("stays in a view that is away from the origin (panned)", () => {
    const panned = { x: -5000, y: 3000, width: 800, height: 400 };
    const p = placeNewAgent([], panned);
    expect(p.x).toBeGreaterThan(-5000);
    expect(p.x + CARD.width).toBeLessThan(-4200);
  });
});
