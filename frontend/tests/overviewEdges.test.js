import { describe, expect, it } from "vitest";
import { getBezierPath } from "@xyflow/react";
import { overviewPaths } from "../src/OverviewEdges.jsx";

// Internal nodes as React Flow keeps them once measured: a 220 × 80 card, 12 × 12 handles centred
// on its left and right sides.
function node(x, y, measured = true) {
  const handles = measured
    ? {
        source: [{ x: 214, y: 34, width: 12, height: 12, position: "right" }],
        target: [{ x: -6, y: 34, width: 12, height: 12, position: "left" }],
      }
    : undefined;
  return { internals: { positionAbsolute: { x, y }, handleBounds: handles } };
}

describe("overviewPaths", () => {
  it("draws React Flow's bezier from the right handle to the left one, arrow at the target", () => {
    const lookup = new Map([
      ["a", node(0, 0)],
      ["b", node(400, 100)],
    ]);
    const { lines, arrows, count } = overviewPaths([{ source: "a", target: "b" }], lookup);
    const [expected] = getBezierPath({
      sourceX: 226, sourceY: 40, sourcePosition: "right", targetX: 394, targetY: 140, targetPosition: "left",
    });
    expect(count).toBe(1);
    expect(lines).toBe(expected);
    expect(arrows).toBe("M389.5,143.6L394,140L389.5,136.4Z");
  });

  it("leaves out edges whose cards are not measured or gone", () => {
    const lookup = new Map([
      ["a", node(0, 0)],
      ["b", node(400, 100, false)],
    ]);
    const { lines, count } = overviewPaths(
      [{ source: "a", target: "b" }, { source: "a", target: "gone" }],
      lookup,
    );
    expect(count).toBe(0);
    expect(lines).toBe("");
  });
});
