// The 390 px layout (phones): the inspector becomes a bottom sheet, the minimap goes, the
// toolbar folds into a menu. One breakpoint, shared with editor.css.
import { useEffect, useState } from "react";

export const NARROW_QUERY = "(max-width: 640px)";

export function useNarrow() {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW_QUERY).matches);
  useEffect(() => {
    const query = window.matchMedia(NARROW_QUERY);
    const change = () => setNarrow(query.matches);
    query.addEventListener("change", change);
    return () => query.removeEventListener("change", change);
  }, []);
  return narrow;
}
