// Runs the history loader's seeding (static/conversations/loader.js) under Node for
// conversations/tests/test_loader_js.py: entries as the history API gives them seed a projection,
// the events after the snapshot's seq are applied to it, and the result must be what projecting
// the whole log gives.
//
//   node scripts/loader_node.mjs CASE.json   -> {"seeded", "full", "seededPath", "fullPath"}
//   CASE.json: {"entries": [...REST entries], "remotes": {remote: local}, "seq": S, "events": [...all]}
import { readFileSync } from "node:fs";
import { seedEntry } from "../static/conversations/loader.js";
import { Projection } from "../static/conversations/projection.js";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const remoteOf = new Map(Object.entries(input.remotes).map(([remote, local]) => [local, remote]));
const seeded = new Projection();
for (const entry of input.entries) seedEntry(seeded, entry, remoteOf);
seeded.lastSeq = input.seq;
for (const event of input.events) seeded.apply(event); // those up to seq are skipped
const full = new Projection();
for (const event of input.events) full.apply(event);
process.stdout.write(
  JSON.stringify({
    seeded: seeded.entryList(),
    full: full.entryList(),
    seededPath: seeded.agentPath(),
    fullPath: full.agentPath(),
  }),
);
