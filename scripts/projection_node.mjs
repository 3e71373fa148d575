// Runs the browser's projection (static/conversations/projection.js) under Node for
// conversations/tests/test_projection_js.py, which compares it with the Python one.
//
//   node scripts/projection_node.mjs project EVENTS.jsonl   -> {"entries", "incremental", "agentPath", "handoffs"}
//   node scripts/projection_node.mjs types                  -> {"handled": [...], "ignored": [...]}
//
// "incremental" applies the events one at a time as the live page receives them over a socket
// that reconnected mid-way (the replay overlaps what was already applied).
import { readFileSync } from "node:fs";
import {
  HANDLED_EVENT_TYPES,
  IGNORED_EVENT_TYPES,
  Projection,
  projectEntries,
} from "../static/conversations/projection.js";

const [command, path] = process.argv.slice(2);
let out;
if (command === "types") {
  out = { handled: HANDLED_EVENT_TYPES, ignored: IGNORED_EVENT_TYPES };
} else if (command === "project" && path) {
  const events = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
  const live = new Projection();
  const half = Math.floor(events.length / 2);
  for (const event of [...events.slice(0, half), ...events]) live.apply(event);
  out = {
    entries: projectEntries(events),
    incremental: live.entryList(),
    agentPath: live.agentPath(),
    handoffs: live.handoffs(),
  };
} else {
  process.stderr.write("usage: projection_node.mjs project EVENTS.jsonl | types\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify(out));
