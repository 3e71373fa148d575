// The React Flow canvas. Nodes and edges are derived from the store's document on render (the
// derivers keep unchanged objects), and React Flow's changes go straight back to the store.
import { useMemo, useRef } from "react";
import { Background, Controls, MiniMap, ReactFlow, useStore } from "@xyflow/react";
import AgentNode from "./AgentNode.jsx";
import { useEditor, useEditorStore } from "./context.js";
import { edgeDeriver, issuesByAgent, nodeDeriver } from "./flowElements.js";
import OverviewEdges from "./OverviewEdges.jsx";

const nodeTypes = { agent: AgentNode };
const DELETE_KEYS = ["Delete", "Backspace"]; // stable: React Flow re-subscribes when it changes
const FIT_OPTIONS = { maxZoom: 1 };
const PRO = { hideAttribution: true };
// Above LARGE_GRAPH agents React Flow renders only what is in view, and below DETAIL_ZOOM (where a
// card's text is too small to read and an edge too thin to aim at) the handoffs are drawn as one
// picture (OverviewEdges) rather than as React Flow edges.
const LARGE_GRAPH = 120;
const DETAIL_ZOOM = 0.4;
const zoomedOut = (s) => s.transform[2] < DETAIL_ZOOM;
const minimapColor = (node) =>
  node.data?.live === "active" ? "#1f8a4c" : node.data?.isEntry ? "#fa500f" : node.data?.errors ? "#c53030" : "#b8bfcc";

export default function Canvas({ narrow, onDelete }) {
  const store = useEditorStore();
  const { doc, selected, measured, report, live, readOnly, revision, painted } = useEditor((s) => ({
    doc: s.doc,
    selected: s.selected,
    measured: s.measured,
    report: s.report,
    live: s.live,
    readOnly: s.readOnly,
    revision: s.graph.revision,
    painted: s.painted,
  }));
  const derivers = useRef(null);
  if (!derivers.current) derivers.current = { nodes: nodeDeriver(), edges: edgeDeriver() };
  const counts = useMemo(() => issuesByAgent(report), [report]);
  const nodes = useMemo(
    () => derivers.current.nodes({ doc, selected, measured, counts, live, readOnly }),
    [doc, selected, measured, counts, live, readOnly],
  );
  const edges = useMemo(() => derivers.current.edges({ doc, selected, live }), [doc, selected, live]);
  const { nodesChanged, edgesChanged, connect } = store.getState();
  const agentCount = nodes.length;
  const large = agentCount > LARGE_GRAPH;
  // Until the cards are measured (and fit in view) React Flow could not draw an edge anyway.
  const farOut = useStore(zoomedOut);
  const overview = large && (farOut || !Object.keys(measured).length);
  const [flowEdges, pictured] = useMemo(() => {
    if (!overview) return [edges, null];
    const interactive = [];
    const rest = [];
    for (const edge of edges) (edge.selected || edge.animated ? interactive : rest).push(edge);
    return [interactive, rest];
  }, [overview, edges]);
  return (
    <div className="editor-canvas" aria-label="Graph canvas">
      <ReactFlow
        nodes={nodes}
        edges={flowEdges}
        nodeTypes={nodeTypes}
        onNodesChange={nodesChanged}
        onEdgesChange={edgesChanged}
        onConnect={connect}
        onDelete={onDelete}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        deleteKeyCode={readOnly ? null : DELETE_KEYS}
        fitView
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.05}
        maxZoom={2}
        onlyRenderVisibleElements={large}
        proOptions={PRO}
      >
        <Background gap={20} />
        {pictured && <OverviewEdges edges={pictured} />}
        <Controls aria-label="Zoom controls" showInteractive={false} />
        {/* On a phone the minimap would cover the cards and take their taps. It comes after the
            first frame with the cards: on a large graph it would draw every card once more. */}
        {!narrow && painted && <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={minimapColor} nodeStrokeWidth={3} />}
      </ReactFlow>
      <div className="canvas-stats" aria-hidden="true">
        {agentCount} agents · {edges.length} handoffs{pictured ? " (zoom in to pick one)" : ""} · revision {revision}
      </div>
    </div>
  );
}
