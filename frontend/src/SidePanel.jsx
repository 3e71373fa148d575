// The side panel: the validation report and the inspector of the selected agent. At 390 px it
// is a bottom sheet over the canvas, folded to its title bar until an agent is selected.
import { useEffect, useState } from "react";
import { useEditor, useEditorStore } from "./context.js";
import { isDirty } from "./doc.js";
import Inspector from "./Inspector.jsx";

function IssueList({ items, kind, hasAgent, onSelect }) {
  return items.map((item, i) => {
    const label = kind === "error" ? "Error" : "Warning";
    return (
      <li key={`${kind}-${i}`} className={`issue issue-${kind}`}>
        {item.agent && hasAgent(item.agent) ? (
          <button type="button" className="link" onClick={() => onSelect(item.agent)}>
            <span className="issue-kind">{label}</span> {item.agent_name}: {item.message}
          </button>
        ) : (
          <span>
            <span className="issue-kind">{label}</span> {item.agent_name ? `${item.agent_name}: ` : ""}
            {item.message}
          </span>
        )}
      </li>
    );
  });
}

function Validation({ onSelect }) {
  const store = useEditorStore();
  const { report, dirty } = useEditor((s) => ({ report: s.report, dirty: isDirty(s.doc, s.base) }));
  const hasAgent = (id) => !!store.getState().doc.agents[id];
  return (
    <section className="validation" aria-label="Validation">
      <h2>
        Validation{" "}
        <button type="button" className="small" onClick={() => store.getState().refreshReport()} aria-label="Re-run validation">
          ↻
        </button>
      </h2>
      {dirty && <p className="muted">Checks the saved graph; save to update.</p>}
      {!report ? (
        <p className="muted">Checking…</p>
      ) : report.errors.length + report.warnings.length === 0 ? (
        <p className="ok">No problems found.</p>
      ) : (
        <ul className="issues">
          <IssueList items={report.errors} kind="error" hasAgent={hasAgent} onSelect={onSelect} />
          <IssueList items={report.warnings} kind="warning" hasAgent={hasAgent} onSelect={onSelect} />
        </ul>
      )}
    </section>
  );
}

function SelectedInspector({ id, knownModels, onSelect }) {
  const store = useEditorStore();
  const { agent, doc, readOnly, errors, isEntry } = useEditor((s) => ({
    agent: s.doc.agents[id],
    doc: s.doc,
    readOnly: s.readOnly,
    errors: s.serverErrors[id],
    isEntry: s.doc.entry === id,
  }));
  const actions = store.getState();
  return (
    <Inspector
      key={id}
      agent={agent}
      doc={doc}
      readOnly={readOnly}
      errors={errors}
      isEntry={isEntry}
      knownModels={knownModels}
      onChange={(patch, key) => actions.updateSelected(id, patch, key)}
      onDraft={(key, error) => actions.setDraft(id, key, error)}
      onMakeEntry={() => actions.makeEntry(id)}
      onDelete={() => actions.deleteElements([id], [])}
      onSelect={onSelect}
    />
  );
}

export default function SidePanel({ narrow, knownModels, onSelect, onCenter }) {
  const { selectedAgents, name } = useEditor((s) => {
    const ids = Object.keys(s.selected).filter((id) => s.doc.agents[id]);
    return { selectedAgents: ids.join(" "), name: ids.length === 1 ? s.doc.agents[ids[0]].name : null };
  });
  const ids = selectedAgents ? selectedAgents.split(" ") : [];
  const single = ids.length === 1 ? ids[0] : null;
  const [open, setOpen] = useState(false);
  // Selecting an agent opens the sheet (and brings the card above it); deselecting folds it.
  useEffect(() => setOpen(!!single), [single]);
  useEffect(() => {
    if (!narrow || !open || !single) return undefined;
    const frame = requestAnimationFrame(() => onCenter(single));
    return () => cancelAnimationFrame(frame);
  }, [narrow, open, single, onCenter]);
  const body = (
    <>
      <Validation onSelect={onSelect} />
      {single ? (
        <SelectedInspector id={single} knownModels={knownModels} onSelect={onSelect} />
      ) : (
        <section className="inspector empty">
          <h2>Inspector</h2>
          <p className="muted">
            {ids.length > 1
              ? `${ids.length} agents selected.`
              : "Select an agent to edit it. Drag from a card's right handle to another card to add a handoff."}
          </p>
        </section>
      )}
    </>
  );
  if (!narrow) {
    return (
      <aside className="editor-side" aria-label="Details">
        {body}
      </aside>
    );
  }
  return (
    <aside className={`editor-side sheet${open ? " open" : ""}`} aria-label="Details">
      <button type="button" className="sheet-handle" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {name ? `Inspector: ${name}` : "Details"} <span aria-hidden="true">{open ? "▾" : "▴"}</span>
      </button>
      {open && <div className="sheet-body">{body}</div>}
    </aside>
  );
}
