// Step paths → a tree: a step's parent is the longest other step's path that prefixes it at a
// "." or "@" (spec.parallel[1] is under spec; spec@2.sequence[0] under spec's second attempt).
export function stepTree(steps) {
  const byPath = new Map(steps.map((s) => [s.path, { ...s, children: [] }]));
  const roots = [];
  for (const node of byPath.values()) {
    let parent = null;
    for (const other of byPath.values()) {
      if (other === node) continue;
      const p = other.path;
      if (node.path.startsWith(p) && (node.path[p.length] === "." || node.path[p.length] === "@")) {
        if (!parent || p.length > parent.path.length) parent = other;
      }
    }
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

// Where a step sits under its parent: its last path segment ("parallel[1]", "routes.RESEARCH").
export function stepLabel(node, parent) {
  const rest = parent ? node.path.slice(parent.path.length + 1) : node.path;
  return rest.replace(/^\d+\./, "");
}

// Kinds whose children run side by side: shown as lanes.
export const LANE_KINDS = new Set(["parallel", "compete", "delegate"]);
