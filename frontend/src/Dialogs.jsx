import { useEffect, useId, useRef, useState } from "react";
import { api, errorText } from "./api.js";

function Modal({ title, onClose, children }) {
  const ref = useRef(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.open && dialog.close();
  }, []);
  return (
    <dialog ref={ref} className="editor-dialog" aria-labelledby={titleId} onCancel={onClose}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

export function RunDialog({ agents, entry, onClose, onStarted }) {
  const ids = { agent: useId(), inputs: useId(), mode: useId() };
  const sorted = [...agents].sort((a, b) => a.name.localeCompare(b.name));
  const [agent, setAgent] = useState(entry || sorted[0]?.id || "");
  const [inputs, setInputs] = useState("");
  const [mode, setMode] = useState("server");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const conversation = await api("POST", "/api/conversations/", {
        agent,
        inputs,
        handoff_execution: mode,
      });
      onStarted(conversation);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Modal title="Run the graph" onClose={onClose}>
      <form onSubmit={submit}>
        <label htmlFor={ids.agent}>Start with agent</label>
        <select id={ids.agent} value={agent} onChange={(e) => setAgent(e.target.value)}>
          {sorted.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
              {a.id === entry ? " (entry)" : ""}
            </option>
          ))}
        </select>
        <label htmlFor={ids.inputs}>Message</label>
        <textarea id={ids.inputs} rows={4} value={inputs} required onChange={(e) => setInputs(e.target.value)} />
        <label htmlFor={ids.mode}>Handoff execution</label>
        <select id={ids.mode} value={mode} onChange={(e) => setMode(e.target.value)}>
          <option value="server">server (the backend follows handoffs)</option>
          <option value="client">client (confirm each handoff)</option>
        </select>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="submit" className="primary-action" disabled={busy || !inputs.trim() || !agent}>
            {busy ? "Starting…" : "Start conversation"}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function SyncDialog({ result, agents, onClose }) {
  return (
    <Modal title={`Synced to ${result.backend}`} onClose={onClose}>
      <table className="sync-table">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Remote id</th>
            <th scope="col">Version</th>
          </tr>
        </thead>
        <tbody>
          {result.agents.map((row) => (
            <tr key={row.agent}>
              <td>{agents[row.agent]?.name || row.agent}</td>
              <td>
                <code>{row.remote_id}</code>
              </td>
              <td>{row.version}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Modal>
  );
}

/** Import: a new graph (named so it does not clash) or this graph's agents replaced. */
export function ImportDialog({ dialog, currentName, onNew, onReplace, onClose }) {
  const ids = { name: useId() };
  const [name, setName] = useState(dialog.suggested);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const count = dialog.documentJson.agents.length;
  const createNew = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onNew(name);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Modal title={`Import “${dialog.name}”`} onClose={onClose}>
      <p>
        The file holds {count} agent{count === 1 ? "" : "s"}. Import it as a new graph, or replace the agents of this
        graph (“{currentName}”) with them?
      </p>
      {dialog.clash && (
        <p className="import-clash" role="note">
          This workspace already has a graph named “{dialog.name}”. A new graph gets another name, so there are not two.
        </p>
      )}
      <form onSubmit={createNew}>
        <label htmlFor={ids.name}>Name of the new graph</label>
        <input id={ids.name} type="text" value={name} required onChange={(e) => setName(e.target.value)} />
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="submit" className="primary-action" disabled={busy || !name.trim()}>
            {busy ? "Importing…" : "Create a new graph"}
          </button>
          <button type="button" onClick={onReplace} disabled={busy}>
            Replace this graph
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
