// The store reaches components through a context (one store per editor on the page); components
// select what they read, so a keystroke in the inspector does not re-render the canvas.
import { createContext, useContext } from "react";
import { useStore } from "zustand";
import { useShallow } from "zustand/react/shallow";

export const StoreContext = createContext(null);

export function useEditorStore() {
  return useContext(StoreContext);
}

/** `useEditor((s) => s.doc)`; a selector returning an object is compared shallowly. */
export function useEditor(selector) {
  return useStore(useContext(StoreContext), useShallow(selector));
}
