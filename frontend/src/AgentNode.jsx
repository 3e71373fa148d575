import { memo } from "react";
import { Handle, Position } from "@xyflow/react";

// Short text badges rather than emoji: they render the same everywhere (no emoji font needed).
export const TOOL_ICONS = {
  function: ["ƒx", "Function"],
  web_search: ["web", "Web search"],
  web_search_premium: ["web+", "Web search (premium)"],
  code_interpreter: ["code", "Code interpreter"],
  image_generation: ["img", "Image generation"],
  document_library: ["docs", "Document library"],
};

function AgentNode({ data }) {
  const { agent, isEntry, errors, warnings, live, readOnly } = data;
  const tools = agent.tools || [];
  const label =
    `Agent ${agent.name}` +
    (isEntry ? ", entry agent" : "") +
    (errors ? `, ${errors} error${errors > 1 ? "s" : ""}` : "") +
    (warnings ? `, ${warnings} warning${warnings > 1 ? "s" : ""}` : "");
  return (
    <div
      className={`agent-card${isEntry ? " is-entry" : ""}${live ? ` live-${live}` : ""}`}
      aria-label={label}
      data-agent-name={agent.name}
    >
      <Handle
        type="target"
        position={Position.Left}
        aria-label={`Handoff target: ${agent.name}`}
        isConnectable={!readOnly}
      />
      <div className="agent-card-head">
        {isEntry && (
          <span className="entry-mark" title="Entry agent">
            ▶ Entry
          </span>
        )}
        <span className="agent-card-name">{agent.name || "(no name)"}</span>
      </div>
      <div className="agent-card-model">{agent.model}</div>
      <div className="agent-card-foot">
        <span className="tool-icons" aria-label={`Tools: ${tools.map((t) => t.type).join(", ") || "none"}`}>
          {tools.map((tool, i) => {
            const [icon, title] = TOOL_ICONS[tool.type] || ["?", tool.type];
            const name = tool.type === "function" ? `${title}: ${tool.function?.name || ""}` : title;
            return (
              <span key={i} className="tool-icon" title={name}>
                {icon}
              </span>
            );
          })}
        </span>
        <span className="handoff-count" title="Handoffs">
          → {agent.handoffs.length}
        </span>
        {errors > 0 && (
          <span className="badge badge-error" title={`${errors} validation error(s)`}>
            ✖ {errors}
          </span>
        )}
        {warnings > 0 && (
          <span className="badge badge-warning" title={`${warnings} warning(s)`}>
            ⚠ {warnings}
          </span>
        )}
      </div>
      <Handle
        type="source"
        position={Position.Right}
        aria-label={`Handoff source: ${agent.name}`}
        isConnectable={!readOnly}
      />
    </div>
  );
}

export default memo(AgentNode);
