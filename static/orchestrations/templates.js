// A starting spec for each pattern of the orchestration guide, over the graph's own agents
// (the first ones, in order; the editor then changes what it needs).
export function patternTemplate(kind, agents) {
  const a = (i) => ({ agent: agents[i % Math.max(agents.length, 1)] || "agent name" });
  switch (kind) {
    case "sequence":
      return { sequence: [{ ...a(0), id: "first" }, { ...a(1), input: "Continue from: {previous}" }, { ...a(2), input: "Report on {input} using {steps.first}" }] };
    case "route":
      return { route: { ...a(0), input: "Classify this request: {input}" }, routes: { TECHNICAL: a(1), RESEARCH: a(2) }, default: a(3) };
    case "parallel":
      return { parallel: [a(0), a(1), a(2)], merge: a(3) };
    case "compete":
      return { compete: [a(0), a(1), a(2)], judge: a(3) };
    case "delegate":
      return { delegate: a(0), workers: { code: a(1), search: a(2) }, synthesize: a(0), max_subtasks: 4 };
    case "recurse":
      return { recurse: a(0), execute: a(1), max_depth: 2 };
    case "retry":
      return { ...a(0), retry: { attempts: 3, backoff_s: 2 }, timeout_s: 120, fallback: a(1) };
    default:
      return a(0);
  }
}

const KINDS = ["agent", "sequence", "route", "parallel", "compete", "delegate", "recurse"];

// The spec as a tree of {path, kind, agent, children}, with the same paths as the validator.
export function specTree(node, path = "spec") {
  if (!node || typeof node !== "object" || Array.isArray(node)) return { path, kind: "?", children: [] };
  const kind = KINDS.find((k) => k in node) || "?";
  const children = [];
  const add = (child, childPath) => children.push(specTree(child, childPath));
  if (["sequence", "parallel", "compete"].includes(kind) && Array.isArray(node[kind])) {
    node[kind].forEach((child, i) => add(child, `${path}.${kind}[${i}]`));
  }
  for (const key of ["route", "delegate", "recurse", "execute", "merge", "judge", "synthesize"]) {
    if (node[key] && typeof node[key] === "object" && !Array.isArray(node[key])) add(node[key], `${path}.${key}`);
  }
  for (const key of ["routes", "workers"]) {
    if (node[key] && typeof node[key] === "object") for (const [name, child] of Object.entries(node[key])) add(child, `${path}.${key}.${name}`);
  }
  if (node.default && typeof node.default === "object") add(node.default, `${path}.default`);
  if (node.fallback && typeof node.fallback === "object") add(node.fallback, `${path}.fallback`);
  return { path, kind, agent: kind === "agent" ? node.agent : null, id: node.id, children };
}
