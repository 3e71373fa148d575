// Where cards go: the left-to-right automatic layout (dagre; handles are on the left and right)
// and a free, visible spot for a new agent.
import dagre from "@dagrejs/dagre";

export const CARD = { width: 220, height: 92 };
const GAP = { x: 60, y: 40 };

/** Positions {id: {x, y}} of a left-to-right layered layout; `sizes` are measured card sizes. */
export function layoutLeftToRight(doc, sizes = {}) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of Object.keys(doc.agents)) {
    g.setNode(id, { width: sizes[id]?.width || CARD.width, height: sizes[id]?.height || CARD.height });
  }
  for (const agent of Object.values(doc.agents)) {
    for (const target of agent.handoffs) if (doc.agents[target]) g.setEdge(agent.id, target);
  }
  dagre.layout(g);
  const out = {};
  for (const id of Object.keys(doc.agents)) {
    const n = g.node(id);
    out[id] = { x: Math.round(n.x - n.width / 2), y: Math.round(n.y - n.height / 2) };
  }
  return out;
}

/** The document with the positions applied (agents whose position did not change keep their
 * object). */
export function withPositions(doc, positions) {
  const agents = { ...doc.agents };
  for (const [id, p] of Object.entries(positions)) {
    const a = agents[id];
    if (a && (a.position_x !== p.x || a.position_y !== p.y)) agents[id] = { ...a, position_x: p.x, position_y: p.y };
  }
  return { ...doc, agents };
}

/** A spot for a new card inside `view` (the visible part of the canvas, in flow coordinates:
 * {x, y, width, height}) that overlaps no other card: the centre first, then rings around it.
 * If the view is full, the centre. */
export function placeNewAgent(agents, view) {
  const center = {
    x: Math.round(view.x + view.width / 2 - CARD.width / 2),
    y: Math.round(view.y + view.height / 2 - CARD.height / 2),
  };
  const free = (p) =>
    !agents.some(
      (a) => Math.abs(a.position_x - p.x) < CARD.width + 20 && Math.abs(a.position_y - p.y) < CARD.height + 20,
    );
  const inside = (p) =>
    p.x >= view.x && p.y >= view.y && p.x + CARD.width <= view.x + view.width && p.y + CARD.height <= view.y + view.height;
  const stepX = CARD.width + GAP.x;
  const stepY = CARD.height + GAP.y;
  for (let ring = 0; ring < 12; ring++) {
    for (let dy = -ring; dy <= ring; dy++) {
      for (let dx = -ring; dx <= ring; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        const p = { x: center.x + dx * stepX, y: center.y + dy * stepY };
        if (inside(p) && free(p)) return p;
      }
    }
  }
  return center;
}
