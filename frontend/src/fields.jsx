// The inspector's form fields: text, numbers typed as text, and JSON Schemas checked as typed;
// each shows the server's messages for its path.
import { useEffect, useId, useState } from "react";
import { parseSchema } from "./schema.js";

/** Server messages for `field` and everything below it (e.g. tools[0].function.name). */
export function messagesFor(errors, field, exact = false) {
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

export function FieldError({ id, messages }) {
  if (!messages || !messages.length) return null;
  return (
    <div id={id} className="field-error" role="alert">
      {messages.map((m, i) => (
        <div key={i}>{m}</div>
      ))}
    </div>
  );
}

export function TextField({ label, value, onChange, errors, multiline, list, rows }) {
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

export function NumberField({ label, value, onChange, errors, step, min, max, integer }) {
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

