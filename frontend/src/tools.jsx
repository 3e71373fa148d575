// The inspector's tool and response-format editors.
import { useId } from "react";
import { TOOL_ICONS } from "./AgentNode.jsx";
import { FieldError, SchemaField, TextField, messagesFor } from "./fields.jsx";

export function FunctionTool({ tool, index, errors, onChange, onRemove, onDraft, readOnly }) {
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

export function ResponseFormat({ value, onChange, errors, onDraft, readOnly }) {
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

