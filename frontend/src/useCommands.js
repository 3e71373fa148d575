// The editor's commands: store actions plus what needs React Flow's viewport (the visible part
// of the canvas for a new agent, centring on an agent, fitting the view) or the browser
// (downloads, navigation).
import { useMemo } from "react";
import { useReactFlow } from "@xyflow/react";
import { api, errorText } from "./api.js";
import { CARD } from "./layout.js";

/** The part of the canvas the user sees, in flow coordinates: not what the bottom sheet covers. */
function visibleView(rf) {
  const canvas = document.querySelector(".editor-canvas")?.getBoundingClientRect();
  if (!canvas) return { x: 0, y: 0, width: 800, height: 600 };
  let bottom = Math.min(canvas.bottom, window.innerHeight);
  const sheet = document.querySelector(".editor-side.sheet")?.getBoundingClientRect();
  if (sheet && sheet.top < bottom && sheet.top > canvas.top) bottom = sheet.top;
  const topLeft = rf.screenToFlowPosition({ x: canvas.left + 8, y: canvas.top + 8 });
  const bottomRight = rf.screenToFlowPosition({ x: canvas.right - 8, y: bottom - 8 });
  return { x: topLeft.x, y: topLeft.y, width: bottomRight.x - topLeft.x, height: bottomRight.y - topLeft.y };
}

export function useCommands(store) {
  const rf = useReactFlow();
  return useMemo(() => {
    const st = () => store.getState();
    const fit = () => rf.fitView({ duration: 200, maxZoom: 1 });
    /** Centre the agent in the part of the canvas the user sees (above the bottom sheet). */
    const centerAgent = (id) => {
      const agent = st().doc.agents[id];
      if (!agent) return;
      const size = st().measured[id] || CARD;
      const zoom = Math.max(rf.getZoom(), 0.9);
      const canvas = document.querySelector(".editor-canvas")?.getBoundingClientRect();
      const sheet = document.querySelector(".editor-side.sheet")?.getBoundingClientRect();
      const hidden = canvas && sheet && sheet.top > canvas.top ? Math.max(0, canvas.bottom - sheet.top) : 0;
      rf.setCenter(agent.position_x + size.width / 2, agent.position_y + size.height / 2 + hidden / 2 / zoom, {
        zoom,
        duration: 300,
      });
    };
    const selectAgent = (id) => {
      st().selectOnly(id);
      centerAgent(id);
    };
    return {
      fit,
      selectAgent,
      centerAgent,
      undo: () => st().undo(),
      redo: () => st().redo(),
      save: () => st().save(),
      deleteSelection: () => st().deleteSelection(),
      addAgent: () => st().addAgent(visibleView(rf)),
      autoLayout: () => {
        if (st().readOnly) return;
        st().autoLayout();
        setTimeout(fit, 50);
      },
      reload: () => st().reload(),
      importFile: (file) => st().prepareImport(file),
      importAsNew: async (name) => {
        const created = await st().importAsNew(st().dialog.documentJson, name);
        location.assign(`/graphs/${created.id}/edit/`);
      },
      importIntoThis: () => {
        st().importIntoThis(st().dialog.documentJson);
        setTimeout(fit, 50);
      },
      async sync() {
        if (!(await st().ensureSaved())) return;
        st().setMessage({ kind: "info", text: "Syncing to the backend…" });
        try {
          const result = await api("POST", `/api/graphs/${st().graph.id}/sync/`);
          st().setDialog({ kind: "sync", result });
          st().setMessage({ kind: "ok", text: `Synced ${result.agents.length} agent(s) to ${result.backend}.` });
        } catch (error) {
          st().setMessage({ kind: "error", text: `Sync failed: ${errorText(error)}` });
        }
      },
      async exportGraph() {
        try {
          const documentJson = await api("GET", `/api/graphs/${st().graph.id}/export/`);
          const blob = new Blob([JSON.stringify(documentJson, null, 2)], { type: "application/json" });
          const link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = `${st().graph.name.replace(/[^\w.-]+/g, "_") || "graph"}.json`;
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(() => URL.revokeObjectURL(link.href), 1000);
          st().setMessage({ kind: "ok", text: "Exported." });
        } catch (error) {
          st().setMessage({ kind: "error", text: `Export failed: ${errorText(error)}` });
        }
      },
      async openRun() {
        if (!(await st().ensureSaved())) {
          st().setMessage({ kind: "error", text: "Save the graph before running it." });
          return;
        }
        st().setDialog({ kind: "run" });
      },
    };
  }, [rf, store]);
}
