// A large graph seen from afar (Canvas: more than LARGE_GRAPH agents, zoomed out below
// DETAIL_ZOOM, or not yet measured): its handoffs drawn as one SVG path rather than one React
// Flow edge each (an <svg>, a <g>, two paths and a React component per edge: on a 500-agent,
// 2,000-handoff graph most of the time to first paint). The same curves and arrowheads, from
// the handles React Flow measured; selected and travelled handoffs stay React Flow edges
// (highlighted, focusable, deletable), and zooming in brings back every edge in view.
import { memo, useMemo } from "react";
import { Position, ViewportPortal, getBezierPath, useStore, useStoreApi } from "@xyflow/react";

// React Flow's closed arrow (MarkerType.ArrowClosed, 18 × 18 on a 20-unit box: 0.9 a unit) at
// the end of a stroke 1 wide.
const ARROW_LENGTH = 4.5;
const ARROW_HALF = 3.6;
const DIRECTION = {
  [Position.Left]: [1, 0],
  [Position.Right]: [-1, 0],
  [Position.Top]: [0, 1],
  [Position.Bottom]: [0, -1],
};

function handlePoint(node, type) {
  const handle = node?.internals.handleBounds?.[type]?.[0];
  if (!handle) return null;
  const x = node.internals.positionAbsolute.x + handle.x;
  const y = node.internals.positionAbsolute.y + handle.y;
  switch (handle.position) {
    case Position.Top:
      return { x: x + handle.width / 2, y, position: Position.Top };
    case Position.Bottom:
      return { x: x + handle.width / 2, y: y + handle.height, position: Position.Bottom };
    case Position.Left:
      return { x, y: y + handle.height / 2, position: Position.Left };
    default:
      return { x: x + handle.width, y: y + handle.height / 2, position: Position.Right };
  }
}

const round = (v) => Math.round(v * 10) / 10;

/** The two path strings, {lines, arrows}, for `edges` between the nodes of `nodeLookup`. */
export function overviewPaths(edges, nodeLookup) {
  const lines = [];
  const arrows = [];
  for (const edge of edges) {
    const source = handlePoint(nodeLookup.get(edge.source), "source");
    const target = handlePoint(nodeLookup.get(edge.target), "target");
    if (!source || !target) continue; // not measured yet: React Flow would not draw it either
    const [path] = getBezierPath({
      sourceX: source.x,
      sourceY: source.y,
      sourcePosition: source.position,
      targetX: target.x,
      targetY: target.y,
      targetPosition: target.position,
    });
    lines.push(path);
    const [dx, dy] = DIRECTION[target.position];
    const bx = target.x - dx * ARROW_LENGTH;
    const by = target.y - dy * ARROW_LENGTH;
    arrows.push(
      `M${round(bx - dy * ARROW_HALF)},${round(by + dx * ARROW_HALF)}L${round(target.x)},${round(target.y)}` +
        `L${round(bx + dy * ARROW_HALF)},${round(by - dx * ARROW_HALF)}Z`,
    );
  }
  return { lines: lines.join(""), arrows: arrows.join(""), count: lines.length };
}

// React Flow's copy of our nodes changes whenever their positions or measured sizes do (its node
// lookup, with the handles, is updated in place just before).
const selectNodes = (s) => s.nodes;

function OverviewEdges({ edges }) {
  const nodes = useStore(selectNodes);
  const store = useStoreApi();
  const { lines, arrows, count } = useMemo(
    () => overviewPaths(edges, store.getState().nodeLookup),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- nodes: the lookup changed
    [edges, nodes, store],
  );
  return (
    <ViewportPortal>
      <svg className="overview-edges" aria-hidden="true" data-edges={count}>
        <path className="overview-edge-lines" d={lines} />
        <path className="overview-edge-arrows" d={arrows} />
      </svg>
    </ViewportPortal>
  );
}

export default memo(OverviewEdges);
