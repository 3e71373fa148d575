// The dashboard's cost chart: GET /api/usage/?group_by=day&split=graph|model, drawn as one line
// per graph (or model) in plain SVG, with the numbers in a table beside it.
import { el } from "./util.js";

const root = document.getElementById("usage-chart");
const COLORS = ["#2454c5", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#5c940d", "#e67700"];
const SVG = "http://www.w3.org/2000/svg";
const W = 640;
const H = 220;
const PAD = 40;

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function days(since, until) {
  const out = [];
  for (let d = new Date(`${since}T00:00:00Z`); d <= new Date(`${until}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

function draw(report, split) {
  const axis = days(report.since, report.until);
  const series = new Map(); // key -> {label, values by day}
  const rows = [];
  for (const group of report.groups) {
    for (const part of group.by || []) {
      const key = part.key || part.label;
      if (!series.has(key)) series.set(key, { label: part.label, values: new Map() });
      series.get(key).values.set(group.key, Number(part.cost_usd));
      rows.push([group.key, part.label, part.total_tokens, part.cost_usd]);
    }
  }
  const total = Number(report.total.cost_usd);
  document.getElementById("usage-total").textContent = report.groups.length
    ? `$${total.toFixed(4)} in ${report.total.turns} turn${report.total.turns === 1 ? "" : "s"} (${report.total.total_tokens} tokens)`
    : "No usage in these 30 days yet.";
  const max = Math.max(1e-9, ...[...series.values()].flatMap((s) => [...s.values.values()]));
  const x = (i) => PAD + (i * (W - 2 * PAD)) / Math.max(1, axis.length - 1);
  const y = (v) => H - PAD + (-v / max) * (H - 2 * PAD);
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Cost per day by ${split}` });
  svg.append(svgEl("line", { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, stroke: "#999" }));
  svg.append(svgEl("line", { x1: PAD, y1: PAD, x2: PAD, y2: H - PAD, stroke: "#999" }));
  const top = svgEl("text", { x: 2, y: PAD, "font-size": 10 });
  top.textContent = `$${max.toFixed(4)}`;
  const first = svgEl("text", { x: PAD, y: H - PAD + 14, "font-size": 10 });
  first.textContent = axis[0];
  const last = svgEl("text", { x: W - PAD - 60, y: H - PAD + 14, "font-size": 10 });
  last.textContent = axis[axis.length - 1];
  svg.append(top, first, last);
  const legend = document.getElementById("usage-legend");
  legend.replaceChildren();
  [...series.values()].forEach((s, index) => {
    const color = COLORS[index % COLORS.length];
    const points = axis.map((day, i) => `${x(i)},${y(s.values.get(day) || 0)}`).join(" ");
    const line = svgEl("polyline", { points, fill: "none", stroke: color, "stroke-width": 2, "data-series": s.label });
    svg.append(line);
    legend.append(el("span", {}, el("span", { class: "swatch", style: `background:${color}` }), s.label));
  });
  document.getElementById("usage-svg").replaceChildren(svg);
  document.querySelector("#usage-table tbody").replaceChildren(
    ...rows.map((r) => el("tr", {}, ...r.map((cell) => el("td", { text: String(cell) })))),
  );
}

async function load() {
  const split = root.querySelector("input[name=usage-split]:checked").value;
  const response = await fetch(`${root.dataset.url}?group_by=day&split=${split}`, { credentials: "same-origin" });
  if (!response.ok) {
    document.getElementById("usage-total").textContent = "The usage could not be loaded.";
    return;
  }
  draw(await response.json(), split);
}

if (root) {
  for (const input of root.querySelectorAll("input[name=usage-split]")) input.addEventListener("change", load);
  load();
}
