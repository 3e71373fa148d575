// The editor page: toolbar, banners, canvas, side panel (a bottom sheet on phones), dialogs.
// State is the store's (store.js); this wires it to the keyboard, the window and the sockets.
import { useCallback, useEffect, useRef } from "react";
import Banners from "./Banners.jsx";
import Canvas from "./Canvas.jsx";
import { useEditor, useEditorStore } from "./context.js";
import { ImportDialog, RunDialog, SyncDialog } from "./Dialogs.jsx";
import { isDirty } from "./doc.js";
import { useLiveOverlay } from "./liveOverlay.js";
import { useNarrow } from "./media.js";
import SidePanel from "./SidePanel.jsx";
import Toolbar from "./Toolbar.jsx";
import { useCommands } from "./useCommands.js";

// The statuses' labels as the server defines them (base.html's "conversation-statuses" block).
const STATUSES = JSON.parse(document.getElementById("conversation-statuses")?.textContent || "[]");
const STATUS_LABELS = Object.fromEntries(STATUSES.map((s) => [s.value, s.label]));

function useKeyboard(store, commands) {
  useEffect(() => {
    const onKey = (event) => {
      const mod = event.ctrlKey || event.metaKey;
      const inField = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
      const key = event.key.toLowerCase();
      const { readOnly, dialog } = store.getState();
      if (mod && key === "s") {
        event.preventDefault();
        commands.save();
      } else if (mod && !inField && ((key === "z" && event.shiftKey) || key === "y")) {
        event.preventDefault();
        commands.redo();
      } else if (mod && !inField && key === "z") {
        event.preventDefault();
        commands.undo();
      } else if (!mod && !event.altKey && !inField && !dialog) {
        const action = { n: !readOnly && commands.addAgent, l: !readOnly && commands.autoLayout, f: commands.fit }[key];
        if (action) {
          event.preventDefault();
          action();
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store, commands]);
}

/** The shell fills the window below the site's header and banners; a tab with unsaved changes
 * asks before it closes. */
function useWindow(store, shellRef) {
  useEffect(() => {
    const fit = () => {
      const shell = shellRef.current;
      if (!shell) return;
      const top = shell.getBoundingClientRect().top + window.scrollY;
      shell.style.height = `${Math.max(480, window.innerHeight - top)}px`;
    };
    const warn = (event) => {
      const { doc, base } = store.getState();
      if (isDirty(doc, base)) {
        event.preventDefault();
        event.returnValue = "";
      }
    };
    fit();
    window.addEventListener("resize", fit);
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("resize", fit);
      window.removeEventListener("beforeunload", warn);
    };
  }, [store, shellRef]);
}

function EditorDialogs({ commands, initial }) {
  const store = useEditorStore();
  const { dialog, doc, graphName } = useEditor((s) => ({ dialog: s.dialog, doc: s.doc, graphName: s.graph.name }));
  const close = () => store.getState().setDialog(null);
  if (dialog?.kind === "run") {
    return (
      <RunDialog
        agents={Object.values(doc.agents)}
        entry={doc.entry}
        onClose={close}
        onStarted={(conversation) => location.assign(`${initial.urls.live}${conversation.id}/`)}
      />
    );
  }
  if (dialog?.kind === "sync") return <SyncDialog result={dialog.result} agents={doc.agents} onClose={close} />;
  if (dialog?.kind === "import") {
    return (
      <ImportDialog
        dialog={dialog}
        currentName={graphName}
        onNew={commands.importAsNew}
        onReplace={commands.importIntoThis}
        onClose={close}
      />
    );
  }
  return null;
}

const FIRST_PAINT_WAIT_MS = 1500;

export default function Editor({ initial }) {
  const store = useEditorStore();
  const commands = useCommands(store);
  const narrow = useNarrow();
  const shellRef = useRef(null);
  const { clearLive } = useLiveOverlay(store);
  useKeyboard(store, commands);
  useWindow(store, shellRef);
  useEffect(() => {
    performance.mark("editor:mounted");
    // The cards are measured and painted first; then validation, whose badges re-render cards,
    // and the minimap (see Canvas). Started at mount, their work landed in the frames that
    // measure and draw a large graph's cards. A canvas that measures nothing (no agents, or
    // not laid out) gets them after FIRST_PAINT_WAIT_MS all the same.
    let frame = 0;
    let started = false;
    let unsubscribe = () => {};
    const afterTwoFrames = () => {
      if (started) return;
      started = true;
      unsubscribe(); // every later store change (a drag, say) need not look at `measured`
      frame = requestAnimationFrame(() => {
        frame = requestAnimationFrame(() => {
          store.getState().setPainted();
          store.getState().refreshReport();
        });
      });
    };
    const measuredAny = (state) => Object.keys(state.measured).length > 0;
    const initial = store.getState();
    if (measuredAny(initial) || !Object.keys(initial.doc.agents).length) afterTwoFrames();
    if (!started) {
      unsubscribe = store.subscribe((state) => {
        if (measuredAny(state)) afterTwoFrames();
      });
    }
    const fallback = setTimeout(afterTwoFrames, FIRST_PAINT_WAIT_MS);
    return () => {
      unsubscribe();
      clearTimeout(fallback);
      cancelAnimationFrame(frame);
    };
  }, [store]);
  const onDelete = useCallback(
    ({ nodes, edges }) =>
      store.getState().deleteElements(
        nodes.map((n) => n.id),
        edges.map((e) => e.id),
      ),
    [store],
  );
  return (
    <div className={`editor-shell${narrow ? " phone" : ""}`} ref={shellRef}>
      <Toolbar commands={commands} narrow={narrow} urls={initial.urls} />
      <Banners statusLabels={STATUS_LABELS} liveUrl={initial.urls.live} onReload={commands.reload} onClearLive={clearLive} />
      <div className="editor-body">
        <Canvas narrow={narrow} onDelete={onDelete} />
        <SidePanel
          narrow={narrow}
          knownModels={initial.known_models}
          onSelect={commands.selectAgent}
          onCenter={commands.centerAgent}
        />
      </div>
      <EditorDialogs commands={commands} initial={initial} />
    </div>
  );
}
