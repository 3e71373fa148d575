import { useId, useState } from "react";
import { TOOL_ICONS } from "./AgentNode.jsx";
import { FieldError, NumberField, TextField, messagesFor } from "./fields.jsx";
import { FunctionTool, ResponseFormat } from "./tools.jsx";

const BUILTIN_TOOLS = ["web_search", "web_search_premium", "code_interpreter", "image_generation"];

export default function Inspector({
  agent,
  doc,
  readOnly,
  errors,
  isEntry,
  knownModels,
  onChange,
  onDraft,
  onMakeEntry,
  onDelete,
  onSelect,
}) {
  const [builtin, setBuiltin] = useState("");
  const builtinId = useId();
  const args = agent.completion_args || {};
  const tools = agent.tools || [];
  const setField = (field) => (value) => onChange({ [field]: value }, field);
  const setArg = (key) => (value, coalesce) => {
    const next = { ...args };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange({ completion_args: next }, coalesce ? `args.${coalesce}` : `args.${key}`);
  };
  const setTool = (index) => (tool, key) => {
    const next = tools.slice();
    next[index] = tool;
    onChange({ tools: next }, key);
  };
  const removeTool = (index) => {
    onDraft(`tools[${index}].function.parameters`, null);
    onChange({ tools: tools.filter((_, i) => i !== index) });
  };
  const present = new Set(tools.map((t) => t.type));
  const available = BUILTIN_TOOLS.filter((t) => !present.has(t));
  const addFunction = () => {
    const names = new Set(tools.filter((t) => t.type === "function").map((t) => t.function?.name));
    let name = "new_function";
    for (let i = 2; names.has(name); i++) name = `new_function_${i}`;
    onChange({
      tools: [
        ...tools,
        { type: "function", function: { name, description: "", parameters: { type: "object", properties: {} } } },
      ],
    });
  };
  const others = Object.values(doc.agents)
    .filter((a) => a.id !== agent.id)
    .sort((a, b) => a.name.localeCompare(b.name));
  const toggleHandoff = (target, on) => {
    const handoffs = on ? [...agent.handoffs, target] : agent.handoffs.filter((t) => t !== target);
    onChange({ handoffs });
  };

  return (
    <section className="inspector" aria-label={`Inspector: ${agent.name}`}>
      <h2>
        {agent.name || "(no name)"} {isEntry && <span className="entry-mark">▶ Entry</span>}
      </h2>
      <FieldError id="agent-general-errors" messages={messagesFor(errors, "non_field_errors").concat(messagesFor(errors, "detail"))} />
      <fieldset disabled={readOnly} className="plain">
        <TextField label="Name" value={agent.name} onChange={setField("name")} errors={messagesFor(errors, "name", true)} />
        <TextField
          label="Description"
          value={agent.description}
          onChange={setField("description")}
          errors={messagesFor(errors, "description", true)}
          multiline
          rows={2}
        />
        <TextField
          label="Instructions"
          value={agent.instructions}
          onChange={setField("instructions")}
          errors={messagesFor(errors, "instructions", true)}
          multiline
          rows={6}
        />
        <TextField
          label="Model"
          value={agent.model}
          onChange={setField("model")}
          errors={messagesFor(errors, "model", true)}
          list="known-models"
        />
        <datalist id="known-models">
          {knownModels.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        {!isEntry && !readOnly && (
          <button type="button" className="small" onClick={onMakeEntry}>
            Make entry agent
          </button>
        )}

        <h3>Handoffs</h3>
        {others.length === 0 && <p className="muted">No other agents yet.</p>}
        <ul className="handoff-list">
          {others.map((other) => (
            <li key={other.id}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={agent.handoffs.includes(other.id)}
                  onChange={(e) => toggleHandoff(other.id, e.target.checked)}
                />{" "}
                Hands off to {other.name}
              </label>
            </li>
          ))}
        </ul>
        <FieldError id="handoff-errors" messages={messagesFor(errors, "handoffs")} />

        <h3>Tools</h3>
        {tools.map((tool, index) =>
          tool.type === "function" ? (
            <FunctionTool
              key={`${agent.id}-${index}`}
              tool={tool}
              index={index}
              errors={errors}
              readOnly={readOnly}
              onChange={setTool(index)}
              onRemove={() => removeTool(index)}
              onDraft={onDraft}
            />
          ) : (
            <div className="tool tool-builtin" key={`${agent.id}-${index}`}>
              <span>
                {(TOOL_ICONS[tool.type] || ["?"])[0]} {tool.type}
              </span>
              {!readOnly && (
                <button type="button" className="small danger" onClick={() => removeTool(index)}>
                  Remove tool {tool.type}
                </button>
              )}
              <FieldError id={`tool-${index}-err`} messages={messagesFor(errors, `tools[${index}]`)} />
            </div>
          ),
        )}
        <FieldError id="tools-errors" messages={messagesFor(errors, "tools", true)} />
        {!readOnly && (
          <div className="tool-add">
            <label htmlFor={builtinId}>Built-in tool</label>
            <select id={builtinId} value={builtin} onChange={(e) => setBuiltin(e.target.value)}>
              <option value="">Choose…</option>
              {available.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="small"
              disabled={!builtin}
              onClick={() => {
                onChange({ tools: [...tools, { type: builtin }] });
                setBuiltin("");
              }}
            >
              Add built-in tool
            </button>
            <button type="button" className="small" onClick={addFunction}>
              Add function tool
            </button>
          </div>
        )}

        <h3>Completion arguments</h3>
        <div className="args-grid">
          <NumberField label="Temperature" value={args.temperature} onChange={setArg("temperature")} errors={messagesFor(errors, "completion_args.temperature")} min={0} max={1.5} />
          <NumberField label="Top p" value={args.top_p} onChange={setArg("top_p")} errors={messagesFor(errors, "completion_args.top_p")} min={0} max={1} />
          <NumberField label="Max tokens" value={args.max_tokens} onChange={setArg("max_tokens")} errors={messagesFor(errors, "completion_args.max_tokens")} integer min={0} />
        </div>
        <ResponseFormat
          value={args.response_format}
          onChange={(v, key) => setArg("response_format")(v, key)}
          errors={errors}
          onDraft={onDraft}
          readOnly={readOnly}
        />
        <FieldError
          id="args-errors"
          messages={messagesFor(errors, "completion_args").filter(
            (m) => !/^completion_args\.(temperature|top_p|max_tokens|response_format)/.test(m),
          )}
        />
        {!readOnly && (
          <button type="button" className="small danger" onClick={onDelete}>
            Delete agent {agent.name}
          </button>
        )}
      </fieldset>
      {agent.handoffs.length > 0 && (
        <p className="muted">
          Hands off to:{" "}
          {agent.handoffs.map((t, i) => (
            <span key={t}>
              {i > 0 && ", "}
              <button type="button" className="link" onClick={() => onSelect(t)}>
                {doc.agents[t]?.name || t}
              </button>
            </span>
          ))}
        </p>
      )}
    </section>
  );
}
