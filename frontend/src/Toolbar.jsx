// The toolbar; at 390 px everything but the title, Save and Run folds into a "Menu".
import { useEffect, useRef, useState } from "react";
import { useEditor } from "./context.js";
import { isDirty, summarizeChanges } from "./doc.js";

function useSaveState() {
  return useEditor((s) => {
    const dirty = isDirty(s.doc, s.base);
    return { dirty, changes: dirty ? summarizeChanges(s.doc, s.base) : "" };
  });
}

export default function Toolbar({ commands, narrow, urls }) {
  const s = useEditor((st) => ({
    name: st.graph.name,
    readOnly: st.readOnly,
    canRun: st.canRun,
    saving: st.saving,
    canUndo: st.past.length > 0,
    canRedo: st.future.length > 0,
    hasSelection: Object.keys(st.selected).length > 0,
    agentCount: Object.keys(st.doc.agents).length,
  }));
  const { dirty, changes } = useSaveState();
  const canEdit = !s.readOnly;
  const [open, setOpen] = useState(false);
  const menuRef = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const close = (event) => {
      if (event.type === "keydown" ? event.key === "Escape" : !menuRef.current?.contains(event.target)) setOpen(false);
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);
  const act = (fn) => () => {
    setOpen(false);
    fn();
  };

  const editing = canEdit && (
    <>
      <button type="button" onClick={act(commands.addAgent)} aria-label="Add agent" aria-keyshortcuts="N" title="Add agent (N)">
        + Agent
      </button>
      <button type="button" onClick={act(commands.deleteSelection)} disabled={!s.hasSelection} aria-keyshortcuts="Delete" title="Delete the selected agents and handoffs (Delete)">
        Delete
      </button>
      <button type="button" onClick={act(commands.autoLayout)} aria-keyshortcuts="L" title="Arrange the graph left to right (L)">
        Auto layout
      </button>
    </>
  );
  const view = (
    <button type="button" onClick={act(commands.fit)} aria-keyshortcuts="F" title="Fit the graph in view (F)">
      Fit view
    </button>
  );
  const history = canEdit && (
    <>
      <button type="button" onClick={act(commands.undo)} disabled={!s.canUndo} aria-keyshortcuts="Control+Z" title="Undo (Ctrl+Z)">
        Undo
      </button>
      <button type="button" onClick={act(commands.redo)} disabled={!s.canRedo} aria-keyshortcuts="Control+Shift+Z" title="Redo (Ctrl+Shift+Z)">
        Redo
      </button>
    </>
  );
  const save = canEdit && (
    <button type="button" className="primary-action" onClick={commands.save} disabled={s.saving || !dirty} aria-keyshortcuts="Control+S" title="Save (Ctrl+S)">
      {s.saving ? "Saving…" : "Save"}
    </button>
  );
  const run = s.canRun && (
    <button type="button" onClick={act(commands.openRun)} disabled={!s.agentCount} aria-label="Run" title="Start a conversation with this graph">
      ▶ Run
    </button>
  );
  const transfer = (
    <>
      {canEdit && (
        <button type="button" onClick={act(commands.sync)} title="Push the agents and their handoffs to the backend">
          Sync
        </button>
      )}
      <button type="button" onClick={act(commands.exportGraph)} title="Download the graph as a JSON document">
        Export
      </button>
      {canEdit && (
        <label className="file-button">
          Import
          <input
            type="file"
            accept="application/json,.json"
            aria-label="Import a graph from a JSON file"
            onChange={(e) => {
              const file = e.target.files[0];
              e.target.value = "";
              setOpen(false);
              if (file) commands.importFile(file);
            }}
          />
        </label>
      )}
    </>
  );
  const state = (
    <span className={`save-state ${dirty ? "dirty" : "clean"}`} role="status" aria-live="polite">
      {s.readOnly ? "Read only" : dirty ? "● Unsaved changes" : "All changes saved"}
      {changes && !narrow && <span className="muted"> ({changes})</span>}
    </span>
  );
  const title = (
    <h1 className="editor-title">
      <a href={urls.graphs}>Graphs</a> / {s.name}
    </h1>
  );

  if (narrow) {
    return (
      <div className="editor-toolbar phone" role="toolbar" aria-label="Graph editor">
        {title}
        {state}
        <span className="toolbar-spacer" />
        {save}
        <div className="toolbar-menu" ref={menuRef}>
          <button type="button" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            Menu
          </button>
          {open && (
            <div className="toolbar-menu-items" role="group" aria-label="More actions">
              {editing}
              {view}
              {history}
              {run}
              {transfer}
            </div>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className="editor-toolbar" role="toolbar" aria-label="Graph editor">
      {title}
      {editing}
      {view}
      {history}
      {save}
      {state}
      <span className="toolbar-spacer" />
      {run}
      {transfer}
    </div>
  );
}
