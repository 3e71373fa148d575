// The graph editor island: one store for the page (store.js), the editor rendered inside React
// Flow's provider.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./editor.css";
import { api } from "./api.js";
import { StoreContext } from "./context.js";
import Editor from "./Editor.jsx";
import { createEditorStore } from "./store.js";

const root = document.getElementById("editor-root");
if (root) {
  root.closest("main")?.classList.add("editor-main");
  const initial = JSON.parse(document.getElementById("editor-data").textContent);
  const store = createEditorStore({ initial, api });
  performance.mark("editor:store"); // scripts/bench_editor.py reads these marks
  createRoot(root).render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <ReactFlowProvider>
          <Editor initial={initial} />
        </ReactFlowProvider>
      </StoreContext.Provider>
    </StrictMode>,
  );
}
