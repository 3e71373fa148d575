// The store's server round trips: the atomic save (PUT /api/graphs/{id}/document/ with the
// revision the document is based on; the new revision comes back from the server), reload after
// a conflict, and importing a document as a new graph or into this one.
import { ApiError, errorText, listAll } from "./api.js";
import {
  adoptSaved,
  docFromImport,
  docFromServer,
  errorsByAgent,
  isDirty,
  needsFirstLayout,
  toSaveDocument,
} from "./doc.js";
import { layoutLeftToRight, withPositions } from "./layout.js";

function renameKeys(map, renames) {
  let out = map;
  for (const [from, to] of Object.entries(renames)) {
    if (from in out) {
      const { [from]: value, ...rest } = out;
      out = { ...rest, [to]: value };
    }
  }
  return out;
}

/** A name no graph of the workspace has yet: "Finance" → "Finance 2". */
export function freeName(name, taken) {
  const names = new Set(taken);
  if (!names.has(name)) return name;
  for (let i = 2; ; i++) if (!names.has(`${name} ${i}`)) return `${name} ${i}`;
}

export function saveActions(set, get, api) {
  return {
    async save() {
      const s = get();
      if (s.readOnly || s.saving) return false;
      if (s.draftErrors().length) {
        set({ message: { kind: "error", text: "Not saved: fix the invalid JSON schema first." } });
        return false;
      }
      const sent = s.doc;
      const { ids, document } = toSaveDocument(sent, s.graph);
      set({ saving: true, message: { kind: "info", text: "Saving…" } });
      try {
        const result = await api("PUT", `/api/graphs/${s.graph.id}/document/`, {
          revision: s.graph.revision,
          document,
        });
        const fresh = docFromServer(result.graph, result.agents);
        set((cur) => {
          const { doc, base, renames, rename } = adoptSaved(cur.doc, sent, fresh);
          return {
            doc,
            base,
            past: cur.past.map(rename),
            future: cur.future.map(rename),
            dragOrigin: cur.dragOrigin && rename(cur.dragOrigin),
            selected: renameKeys(cur.selected, renames),
            measured: renameKeys(cur.measured, renames),
            drafts: renameKeys(cur.drafts, renames),
            graph: result.graph,
            serverErrors: {},
            conflict: null,
            message: { kind: "ok", text: `Saved (revision ${result.graph.revision}).` },
          };
        });
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          set({ conflict: { current: error.body?.current_revision }, message: null });
        } else if (error instanceof ApiError && error.status === 400) {
          get().showSaveErrors(error.body, ids, sent);
        } else {
          set({ message: { kind: "error", text: `Not saved: ${errorText(error)}` } });
        }
        return false;
      } finally {
        set({ saving: false });
        get().refreshReport();
      }
    },

    /** A refused save: each agent's problems in its inspector, the first such agent selected. */
    showSaveErrors(body, ids, sent) {
      const { perAgent, general } = errorsByAgent(body, ids);
      const first = ids.find((id) => perAgent[id]);
      const names = ids.filter((id) => perAgent[id]).map((id) => sent.agents[id]?.name || "an agent");
      const text = names.length
        ? `Not saved: ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""} ${
            names.length === 1 ? "has" : "have"
          } invalid fields (shown in the inspector).${general.length ? ` ${general.join("; ")}` : ""}`
        : `Not saved: ${general.join("; ")}`;
      set({
        serverErrors: perAgent,
        message: { kind: "error", text },
        ...(first && get().doc.agents[first] ? { selected: { [first]: true } } : {}),
      });
      return first;
    },

    async ensureSaved() {
      const { doc, base, readOnly } = get();
      if (!isDirty(doc, base)) return true;
      if (readOnly) return false;
      await get().save();
      return !isDirty(get().doc, get().base);
    },

    async reload() {
      try {
        const result = await api("GET", `/api/graphs/${get().graph.id}/document/`);
        let fresh = docFromServer(result.graph, result.agents);
        if (needsFirstLayout(fresh)) fresh = withPositions(fresh, layoutLeftToRight(fresh, get().measured));
        set({
          graph: result.graph,
          doc: fresh,
          base: fresh,
          past: [],
          future: [],
          lastKey: null,
          serverErrors: {},
          drafts: {},
          conflict: null,
          selected: {},
          message: { kind: "ok", text: `Reloaded revision ${result.graph.revision}.` },
        });
        get().refreshReport();
      } catch (error) {
        set({ message: { kind: "error", text: `Reload failed: ${errorText(error)}` } });
      }
    },

    /** A file was picked: read it, find a same-named graph, and ask how to import it. */
    async prepareImport(file) {
      let documentJson;
      try {
        documentJson = JSON.parse(await file.text());
        if (!documentJson || !Array.isArray(documentJson.agents)) throw new Error("it has no list of agents");
      } catch (error) {
        const why = error instanceof SyntaxError ? `not a JSON file (${error.message})` : `not a graph document (${error.message})`;
        set({ message: { kind: "error", text: `Import failed: ${why}` } });
        return;
      }
      let names = [];
      try {
        names = (await listAll(api, `/api/graphs/?workspace=${get().graph.workspace}`)).map((g) => g.name);
      } catch {
        // Without the list the dialog still works; the server keeps names unique per save anyway.
      }
      const name = typeof documentJson.name === "string" ? documentJson.name : "Imported graph";
      set({
        dialog: {
          kind: "import",
          documentJson,
          name,
          clash: names.includes(name),
          suggested: freeName(name, names),
        },
      });
    },

    /** Create a new graph from the document (under `name`); resolves to the new graph. */
    async importAsNew(documentJson, name) {
      const created = await api("POST", "/api/graphs/import/", {
        workspace: get().graph.workspace,
        document: { ...documentJson, name },
      });
      return created;
    },

    /** Put the document's agents into this graph as one undoable, unsaved change. */
    importIntoThis(documentJson) {
      let next = docFromImport(documentJson, get().doc);
      if (needsFirstLayout(next)) next = withPositions(next, layoutLeftToRight(next, get().measured));
      get().commit(next);
      set({
        dialog: null,
        selected: {},
        message: {
          kind: "info",
          text: `Imported ${Object.keys(next.agents).length} agents into this graph: review, then Save (Undo puts the old ones back).`,
        },
      });
    },
  };
}
