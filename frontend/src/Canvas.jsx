// The React Flow canvas. Nodes and edges are derived from the store's document on render (the
// derivers keep unchanged objects), and React Flow's changes go straight back to the store.
import { useMemo, useRef } from "react";
import { Background, Controls, MiniMap, ReactFlow } from "@xyflow/react";
import AgentNode from "./AgentNode.jsx";
import { useEditor, useEditorStore } from "./context.js";
import { edgeDeriver, issuesByAgent, nodeDeriver } from "./flowElements.js";

const nodeTypes = { agent: AgentNode };
const DELETE_KEYS = ["Delete", "Backspace"]; // stable: React Flow re-subscribes when it changes
const FIT_OPTIONS = { maxZoom: 1 };
const PRO = { hideAttribution: true };
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
  return (
    <div className="editor-canvas" aria-label="Graph canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
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
        onlyRenderVisibleElements={agentCount > 120}
        proOptions={PRO}
      >
        <Background gap={20} />
        <Controls aria-label="Zoom controls" showInteractive={false} />
        {/* On a phone the minimap would cover the cards and take their taps. It comes after the
            first frame with the cards: on a large graph it would draw every card once more. */}
        {!narrow && painted && <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={minimapColor} nodeStrokeWidth={3} />}
      </ReactFlow>
      <div className="canvas-stats" aria-hidden="true">
        {agentCount} agents · {edges.length} handoffs · revision {revision}
      </div>
    </div>
  );
}
