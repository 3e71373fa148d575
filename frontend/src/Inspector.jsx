import { useEffect, useId, useState } from "react";
import { parseSchema } from "./schema.js";
import { TOOL_ICONS } from "./AgentNode.jsx";

const BUILTIN_TOOLS = ["web_search", "web_search_premium", "code_interpreter", "image_generation"];

/** Server messages for `field` and everything below it (e.g. tools[0].function.name). */
function messagesFor(errors, field, exact = false) {
  if (!errors) return [];
  const out = [];
  for (const [key, value] of Object.entries(errors)) {
    const below = !exact && (key.startsWith(`${field}.`) || key.startsWith(`${field}[`));
    if (key === field || below) {
      const list = Array.isArray(value) ? value : [String(value)];
      for (const message of list) out.push(key === field ? message : `${key}: ${message}`);
    }
  }
  return out;
}

function FieldError({ id, messages }) {
  if (!messages || !messages.length) return null;
  return (
    <div id={id} className="field-error" role="alert">
      {messages.map((m, i) => (
        <div key={i}>{m}</div>
      ))}
    </div>
  );
}

function TextField({ label, value, onChange, errors, multiline, list, rows }) {
  const id = useId();
  const errId = `${id}-err`;
  const props = {
    id,
    value: value ?? "",
    onChange: (e) => onChange(e.target.value),
    "aria-invalid": errors.length ? "true" : undefined,
    "aria-describedby": errors.length ? errId : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? <textarea rows={rows || 5} {...props} /> : <input type="text" list={list} {...props} />}
      <FieldError id={errId} messages={errors} />
    </div>
  );
}

function NumberField({ label, value, onChange, errors, step, min, max, integer }) {
  const id = useId();
  const [text, setText] = useState(value === undefined || value === null ? "" : String(value));
  const [local, setLocal] = useState(null);
  useEffect(() => {
    const current = text.trim() === "" ? undefined : Number(text);
    if (current !== value && !(current === undefined && value == null)) {
      setText(value === undefined || value === null ? "" : String(value));
      setLocal(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  const change = (raw) => {
    setText(raw);
    if (raw.trim() === "") {
      setLocal(null);
      onChange(undefined);
      return;
    }
    const number = Number(raw);
    if (!Number.isFinite(number) || (integer && !Number.isInteger(number))) {
      setLocal(integer ? "Must be a whole number." : "Must be a number.");
      return;
    }
    setLocal(null);
    onChange(number);
  };
  const all = local ? [local, ...errors] : errors;
  return (
    <div className="field field-number">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={text}
        placeholder="default"
        onChange={(e) => change(e.target.value)}
        aria-invalid={all.length ? "true" : undefined}
        aria-describedby={all.length ? `${id}-err` : undefined}
        title={min !== undefined ? `${min} to ${max ?? "∞"}` : undefined}
        data-step={step}
      />
      <FieldError id={`${id}-err`} messages={all} />
    </div>
  );
}

/** A JSON Schema textarea that validates as you type; only valid schemas reach the document. */
export function SchemaField({ label, value, onValid, onDraft, errors, disabled }) {
  const id = useId();
  const pretty = (v) => JSON.stringify(v ?? {}, null, 2);
  const [text, setText] = useState(pretty(value));
  const [problem, setProblem] = useState(null);
  useEffect(() => {
    const parsed = parseSchema(text);
    if (parsed.error || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setText(pretty(value));
      setProblem(null);
      onDraft(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(value)]);
  // Leaving the field (another agent selected, tool removed) drops the invalid draft text.
  useEffect(() => () => onDraft(null), []); // eslint-disable-line react-hooks/exhaustive-deps
  const change = (raw) => {
    setText(raw);
    const parsed = parseSchema(raw);
    setProblem(parsed.error || null);
    onDraft(parsed.error || null);
    if (!parsed.error) onValid(parsed.value);
  };
  const all = problem ? [problem, ...errors] : errors;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className={`code${problem ? " invalid" : ""}`}
        rows={8}
        spellCheck={false}
        value={text}
        disabled={disabled}
        onChange={(e) => change(e.target.value)}
        aria-invalid={all.length ? "true" : undefined}
        aria-describedby={all.length ? `${id}-err` : undefined}
      />
      {problem ? null : <div className="field-ok">Valid JSON Schema</div>}
      <FieldError id={`${id}-err`} messages={all} />
    </div>
  );
}

function FunctionTool({ tool, index, errors, onChange, onRemove, onDraft, readOnly }) {
  const fn = tool.function || {};
  const path = `tools[${index}]`;
  const set = (patch, key) => onChange({ ...tool, function: { ...fn, ...patch } }, key);
  return (
    <fieldset className="tool tool-function">
      <legend>
        {TOOL_ICONS.function[0]} Function {fn.name}
      </legend>
      <TextField
        label="Function name"
        value={fn.name}
        onChange={(v) => set({ name: v }, `${path}.name`)}
        errors={messagesFor(errors, `${path}.function.name`)}
      />
      <TextField
        label="Function description"
        value={fn.description}
        onChange={(v) => set({ description: v }, `${path}.description`)}
        errors={messagesFor(errors, `${path}.function.description`)}
        multiline
        rows={2}
      />
      <SchemaField
        label={`Parameters (JSON Schema) of ${fn.name || "function"}`}
        value={fn.parameters}
        onValid={(v) => set({ parameters: v }, `${path}.parameters`)}
        onDraft={(error) => onDraft(`${path}.function.parameters`, error)}
        errors={messagesFor(errors, `${path}.function.parameters`)}
        disabled={readOnly}
      />
      <FieldError
        id={`${path}-other`}
        messages={messagesFor(errors, path).filter(
          (m) => !/^tools\[\d+\]\.function\.(name|description|parameters)/.test(m),
        )}
      />
      {!readOnly && (
        <button type="button" className="small danger" onClick={onRemove}>
          Remove function {fn.name}
        </button>
      )}
    </fieldset>
  );
}

function ResponseFormat({ value, onChange, errors, onDraft, readOnly }) {
  const id = useId();
  const kind = value ? value.type || "text" : "";
  const schema = value?.json_schema || {};
  const path = "completion_args.response_format";
  const setKind = (next) => {
    if (!next) onChange(undefined);
    else if (next === "json_schema") {
      onChange({
        type: "json_schema",
        json_schema: { name: schema.name || "response", schema: schema.schema || { type: "object", properties: {} }, strict: true },
      });
    } else onChange({ type: next });
  };
  return (
    <div className="response-format">
      <div className="field">
        <label htmlFor={id}>Response format</label>
        <select id={id} value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="">default</option>
          <option value="text">text</option>
          <option value="json_object">json_object</option>
          <option value="json_schema">json_schema</option>
        </select>
      </div>
      {kind === "json_schema" && (
        <>
          <TextField
            label="Response schema name"
            value={schema.name}
            onChange={(v) => onChange({ ...value, json_schema: { ...schema, name: v } }, "rf.name")}
            errors={messagesFor(errors, `${path}.json_schema.name`)}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={schema.strict !== false}
              onChange={(e) => onChange({ ...value, json_schema: { ...schema, strict: e.target.checked } })}
            />{" "}
            Strict
          </label>
          <SchemaField
            label="Response JSON Schema"
            value={schema.schema}
            onValid={(v) => onChange({ ...value, json_schema: { ...schema, schema: v } }, "rf.schema")}
            onDraft={(error) => onDraft(`${path}.json_schema.schema`, error)}
            errors={messagesFor(errors, `${path}.json_schema.schema`)}
            disabled={readOnly}
          />
        </>
      )}
      <FieldError
        id={`${id}-err`}
        messages={messagesFor(errors, path).filter((m) => !/json_schema\.(name|schema)/.test(m))}
      />
    </div>
  );
}

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
