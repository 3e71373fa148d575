// React Flow's nodes and edges, derived from the one document (never stored beside it). A
// deriver remembers what it returned, so an unchanged card or edge keeps its object and React
// Flow re-renders only what changed: dragging one card in a 500-agent graph touches one node.
import { MarkerType } from "@xyflow/react";

const MARKER = { type: MarkerType.ArrowClosed, width: 18, height: 18 };

export function issuesByAgent(report) {
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

function liveState(live, id) {
  if (!live) return null;
  return live.active === id ? "active" : live.visited?.has(id) ? "visited" : null;
}

export function nodeDeriver() {
  let previous = new Map();
  return function nodesOf({ doc, selected, measured, counts, live, readOnly }) {
    const next = new Map();
    const out = [];
    for (const agent of Object.values(doc.agents)) {
      const old = previous.get(agent.id);
      const isEntry = doc.entry === agent.id;
      const errors = counts[agent.id]?.errors || 0;
      const warnings = counts[agent.id]?.warnings || 0;
      const liveMark = liveState(live, agent.id);
      const isSelected = !!selected[agent.id];
      const size = measured[agent.id];
      const d = old?.data;
      const sameData =
        d && d.agent === agent && d.isEntry === isEntry && d.errors === errors && d.warnings === warnings &&
        d.live === liveMark && d.readOnly === readOnly;
      let node = old;
      // React Flow reads sizes from our nodes (the minimap does), so a new size is a new node.
      if (!old || !sameData || old.selected !== isSelected || old.measured !== size ||
          old.position.x !== agent.position_x || old.position.y !== agent.position_y) {
        node = {
          id: agent.id,
          type: "agent",
          position: old && old.position.x === agent.position_x && old.position.y === agent.position_y
            ? old.position
            : { x: agent.position_x, y: agent.position_y },
          data: sameData ? d : { agent, isEntry, errors, warnings, live: liveMark, readOnly },
          selected: isSelected,
          measured: size,
          ariaLabel: `Agent ${agent.name}`,
        };
      }
      next.set(agent.id, node);
      out.push(node);
    }
    previous = next;
    return out;
  };
}

export function edgeDeriver() {
  let previous = new Map();
  return function edgesOf({ doc, selected, live }) {
    const next = new Map();
    const out = [];
    for (const agent of Object.values(doc.agents)) {
      for (const target of agent.handoffs) {
        const to = doc.agents[target];
        if (!to) continue;
        const id = `${agent.id}->${target}`;
        const travelled = !!live?.travelled?.has(id);
        const ariaLabel = `Handoff from ${agent.name} to ${to.name}`;
        const isSelected = !!selected[id];
        const old = previous.get(id);
        const edge =
          old && old.ariaLabel === ariaLabel && old.data.travelled === travelled && old.selected === isSelected
            ? old
            : {
                id,
                source: agent.id,
                target,
                ariaLabel,
                data: { travelled },
                selected: isSelected,
                className: travelled ? "travelled" : undefined,
                animated: travelled,
                markerEnd: MARKER,
              };
        next.set(id, edge);
        out.push(edge);
      }
    }
    previous = next;
    return out;
  };
}
