// Charts as inline SVG, drawn by hand: a horizontal bar chart (free vs total GPUs per model or region) and a
// daily history (jobs as bars, volume as a line). Sizes are viewBox units, drawn as wide as the container (one unit a
// CSS pixel) and drawn again when it changes width: a fixed 480-unit drawing scaled down to a phone's chart (or a
// laptop's third of the row) shrank its 11 px labels to 7.5 px.
// Colours come from CSS classes, so the stylesheet (and its dark scheme) owns them. Figures are formatted as the
// tables and the overview format them (format.js): "1234 / 2048" beside a card's "2,048" read as another number.

import { h } from "./dom.js";
import { count, formatDay, formatInt, formatLat } from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

/** How each chart's container was last drawn: its width, and the drawing to make again at another. */
const drawings = new WeakMap();
const resized = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    const drawing = drawings.get(target);
    if (drawing !== undefined && drawing.width !== drawingWidth(target, drawing.width)) drawing.draw();
  }
});

/**
 * The width to draw in `container` (its own, in CSS pixels: the SVG is drawn 1:1), `fallback` where it has none yet (not
 * laid out); `draw` is kept to draw again when the container's width changes.
 */
function drawIn(container, fallback, draw) {
  if (!drawings.has(container)) resized.observe(container);
  const width = drawingWidth(container, fallback);
  drawings.set(container, { width, draw });
  return width;
}

function drawingWidth(container, fallback) {
  const width = Math.floor(container.clientWidth);
  return width > 0 ? width : fallback;
}

const BAR = { width: 480, row: 24, bar: 14, label: 150, value: 64 };

/**
 * Replaces `container`'s content with one bar per row: the full bar is the total, the filled part the free GPUs.
 * rows: [{ key, label, total, free }], drawn in the given order. `title` names the chart for screen readers.
 */
export function drawInventoryChart(container, rows, title) {
  if (rows.length === 0) {
    showNote(container, "No GPUs listed yet.");
    return;
  }
  const width = drawIn(container, BAR.width, () => drawInventoryChart(container, rows, title));
  const height = rows.length * BAR.row + 6;
  const scaleWidth = Math.max(1, width - BAR.label - BAR.value);
  const max = Math.max(1, ...rows.map((r) => r.total));
  const summary = rows.map((r) => `${r.label}: ${formatInt(r.free)} of ${formatInt(r.total)} free`).join("; ");
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title}. ${summary}`, class: "chart" });
  rows.forEach((row, i) => {
    const y = i * BAR.row + 4;
    const totalWidth = (row.total / max) * scaleWidth;
    const freeWidth = (row.free / max) * scaleWidth;
    svg.append(
      s(
        "g",
        { "data-testid": "chart-bar", "data-key": row.key, "data-total": row.total, "data-free": row.free },
        s("title", {}, `${row.label}: ${formatInt(row.free)} free of ${count(row.total, "GPU")}`),
        s("text", { x: BAR.label - 8, y: y + BAR.bar - 3, "text-anchor": "end", class: "chart-label" }, truncate(row.label, 24)),
        s("rect", { x: BAR.label, y, width: Math.max(totalWidth, 1), height: BAR.bar, rx: 2, class: "bar-total" }),
        s("rect", { x: BAR.label, y, width: freeWidth, height: BAR.bar, rx: 2, class: "bar-free" }),
        s("text", { x: BAR.label + totalWidth + 6, y: y + BAR.bar - 3, class: "chart-value" }, `${formatInt(row.free)} / ${formatInt(row.total)}`),
      ),
    );
  });
  container.replaceChildren(svg);
}

const HISTORY = { width: 480, height: 170, left: 34, right: 46, top: 10, bottom: 24 };

/**
 * Replaces `container`'s content with the daily history: jobs created as bars (left axis), volume paid in LAT as
 * a line (right axis). days: [{ date, jobsCreated, volume: { lat } }], oldest first.
 */
export function drawHistoryChart(container, days, title) {
  if (days.length === 0) {
    showNote(container, "No history yet.");
    return;
  }
  // Days without a job or a payment (a network just deployed): axes from 0 to 1 over flat lines read as a chart of
  // something rather than of nothing.
  if (days.every((d) => d.jobsCreated === 0 && Number(d.volume.lat) === 0)) {
    showNote(container, `No job created and nothing paid in these ${days.length} days.`);
    return;
  }
  const width = drawIn(container, HISTORY.width, () => drawHistoryChart(container, days, title));
  const { height, left, right, top, bottom } = HISTORY;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const maxJobs = Math.max(1, ...days.map((d) => d.jobsCreated));
  const volumes = days.map((d) => Number(d.volume.lat));
  const maxVolume = Math.max(...volumes) || 1;
  const step = plotWidth / days.length;
  const yJobs = (n) => top + plotHeight - (n / maxJobs) * plotHeight;
  const yVolume = (v) => top + plotHeight - (v / maxVolume) * plotHeight;
  const summary = days.map((d) => `${formatDay(d.date)}: ${count(d.jobsCreated, "job")}, ${formatLat(d.volume.lat)}`).join("; ");
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title}. ${summary}`, class: "chart" });

  svg.append(
    s("line", { x1: left, x2: width - right, y1: top + plotHeight, y2: top + plotHeight, class: "chart-axis" }),
    s("text", { x: left - 6, y: top + 8, "text-anchor": "end", class: "chart-value" }, formatInt(maxJobs)),
    s("text", { x: left - 6, y: top + plotHeight, "text-anchor": "end", class: "chart-value" }, "0"),
    s("text", { x: width - right + 6, y: top + 8, class: "chart-value" }, compact(maxVolume)),
  );
  // Label about six days along the axis, whatever the range.
  const labelEvery = Math.max(1, Math.ceil(days.length / 6));
  days.forEach((d, i) => {
    const x = left + i * step;
    const barHeight = top + plotHeight - yJobs(d.jobsCreated);
    svg.append(
      s(
        "rect",
        { x: x + step * 0.15, y: yJobs(d.jobsCreated), width: step * 0.7, height: barHeight, class: "bar-jobs", "data-testid": "history-bar" },
        s("title", {}, `${formatDay(d.date)}: ${count(d.jobsCreated, "job")} created, ${formatLat(d.volume.lat)} paid`),
      ),
    );
    if (i % labelEvery === 0) svg.append(s("text", { x: x + step / 2, y: height - 8, "text-anchor": "middle", class: "chart-label" }, formatDay(d.date)));
  });
  const points = volumes.map((v, i) => `${(left + (i + 0.5) * step).toFixed(1)},${yVolume(v).toFixed(1)}`).join(" ");
  svg.append(s("polyline", { points, class: "line-volume" }));
  container.replaceChildren(svg);
}

/** A note in place of the chart: no drawing of earlier figures is made again when the container resizes. */
function showNote(container, text) {
  drawings.delete(container);
  container.replaceChildren(h("p", { class: "empty" }, text));
}

function truncate(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** 1234.5 → "1.2k", for an axis label. */
function compact(n) {
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(n);
}
