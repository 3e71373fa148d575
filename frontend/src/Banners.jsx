// The banners under the toolbar: a refused (stale) save, the last message, the live overlay.
import { useEditor, useEditorStore } from "./context.js";

export default function Banners({ statusLabels, liveUrl, onReload, onClearLive }) {
  const store = useEditorStore();
  const { conflict, message, live, activeName } = useEditor((s) => ({
    conflict: s.conflict,
    message: s.message,
    live: s.live,
    activeName: s.live?.active ? s.doc.agents[s.live.active]?.name : null,
  }));
  const { setConflict, setMessage } = store.getState();
  return (
    <>
      {conflict && (
        <div className="editor-banner conflict" role="alert">
          <strong>Conflict:</strong> someone else changed this graph since you loaded it
          {conflict.current ? ` (it is now at revision ${conflict.current})` : ""}. Your changes were not saved.{" "}
          <button type="button" onClick={onReload}>
            Reload the graph
          </button>{" "}
          <span className="muted">(discards your unsaved changes)</span>{" "}
          <button type="button" className="link" onClick={() => setConflict(null)}>
            Dismiss
          </button>
        </div>
      )}
      {message && (
        <div className={`editor-banner ${message.kind}`} role={message.kind === "error" ? "alert" : "status"}>
          {message.text}{" "}
          <button type="button" className="link" aria-label="Dismiss message" onClick={() => setMessage(null)}>
            ×
          </button>
        </div>
      )}
      {live && (
        <div className="editor-banner live" role="status">
          Live: <a href={`${liveUrl}${live.conversation}/`}>conversation</a> {statusLabels[live.status] || live.status}
          {activeName ? ` — active agent ${activeName}` : ""}.{" "}
          <button type="button" className="link" onClick={onClearLive}>
            Clear overlay
          </button>
        </div>
      )}
    </>
  );
}
