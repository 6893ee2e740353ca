// The live overlay drawn on a canvas, in the desktop overlay's visual language
// (formcheck/overlay.py): counter top left, gauge top right, frame rate top centre, status and
// cue banners at the bottom, skeleton green / amber / red by form.
"use strict";
const FORM = { good: "rgb(40,200,60)", warn: "rgb(255,175,0)", bad: "rgb(230,40,40)" };
const ZONE = "rgb(40,150,60)", DIM = "rgb(190,190,190)", PANEL = "rgba(30,30,30,0.6)";
const SEGMENTS = [["ear", "shoulder"], ["shoulder", "elbow"], ["elbow", "wrist"], ["shoulder", "hip"],
  ["hip", "knee"], ["knee", "ankle"], ["ankle", "heel"], ["heel", "foot"], ["ankle", "foot"]];
const JOINTS = ["shoulder", "elbow", "wrist", "hip", "knee", "ankle"];
const LABELS = { glute_bridge: "BRIDGE REPS", cat_cow: "CAT-COW ROUNDS", plank: "PLANK HOLD" };

function layout(w, h) {
  const s = Math.max(0.25, Math.min(h / 480, w / 640)), m = Math.round(10 * s);
  const cw = Math.round(170 * s), ch = Math.round(110 * s), gw = Math.round(230 * s), gh = Math.round(80 * s);
  const cueH = Math.round(48 * s), statusH = Math.round(34 * s);
  const cue = [m, h - m - cueH, w - 2 * m, cueH];
  return { s, counter: [m, m, cw, ch], gauge: [w - m - gw, m, gw, gh],
    stats: [m + cw + m, m, Math.max(0, w - m - gw - m - (m + cw + m)), Math.round(26 * s)],
    cue, status: [m, cue[1] - Math.round(6 * s) - statusH, w - 2 * m, statusH],
    paused: [(w - 220 * s) / 2, (h - 60 * s) / 2, 220 * s, 60 * s] };
}

function panel(ctx, r, alpha = 0.6) { ctx.fillStyle = `rgba(30,30,30,${alpha})`; ctx.fillRect(...r); }

function fitText(ctx, text, maxW, px, weight = "") {
  ctx.font = `${weight} ${px}px system-ui, sans-serif`;
  const w = ctx.measureText(text).width;
  if (w > maxW && w > 0) { px = px * maxW / w; ctx.font = `${weight} ${px}px system-ui, sans-serif`; }
  return px;
}

function banner(ctx, r, text, s, colour, size) {
  panel(ctx, r, 0.7);
  fitText(ctx, text, r[2] - 16 * s, size * 26 * s, "600");
  ctx.fillStyle = colour; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  ctx.fillText(text, r[0] + r[2] / 2, r[1] + r[3] / 2);
  ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
}

function fmtSeconds(s) {
  s = Math.max(0, s);
  return s < 60 ? `${s.toFixed(0)}s` : `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
}

function drawSkeleton(ctx, pose, colour, w, h, s, mirror) {
  const X = (p) => (mirror ? 1 - p[0] : p[0]) * w, Y = (p) => p[1] * h;
  const line = (a, b, col, width) => {
    if (!a || !b) return;
    ctx.strokeStyle = col; ctx.lineWidth = width; ctx.lineCap = "round";
    ctx.beginPath(); ctx.moveTo(X(a), Y(a)); ctx.lineTo(X(b), Y(b)); ctx.stroke();
  };
  const far = colour.replace(/rgb\((\d+),(\d+),(\d+)\)/, (_, r, g, b) => `rgb(${r * .55},${g * .55},${b * .55})`);
  for (const [a, b] of SEGMENTS) line(pose.far[a], pose.far[b], far, Math.max(1, 2 * s));
  for (const [a, b] of SEGMENTS) line(pose.near[a], pose.near[b], colour, Math.max(1, 4 * s));
  line(pose.near.shoulder, pose.far.shoulder, colour, Math.max(1, 4 * s));
  line(pose.near.hip, pose.far.hip, colour, Math.max(1, 4 * s));
  for (const j of JOINTS) {
    const p = pose.near[j];
    if (!p) continue;
    ctx.beginPath(); ctx.arc(X(p), Y(p), Math.max(2, 5 * s), 0, 2 * Math.PI);
    ctx.fillStyle = colour; ctx.fill(); ctx.strokeStyle = "#fff"; ctx.lineWidth = Math.max(1, s); ctx.stroke();
  }
  if (pose.back && pose.back.length >= 2) {
    ctx.strokeStyle = "#fff"; ctx.lineWidth = Math.max(1, 2 * s); ctx.beginPath();
    pose.back.forEach((p, i) => (i ? ctx.lineTo(X(p), Y(p)) : ctx.moveTo(X(p), Y(p)))); ctx.stroke();
  }
}

function drawCounter(ctx, r, m, s) {
  panel(ctx, r);
  const [x, y, w, h] = r, pad = 8 * s;
  const label = LABELS[m.exercise] || "GET INTO POSITION";
  fitText(ctx, label, w - 2 * pad, 13 * s); ctx.fillStyle = DIM; ctx.fillText(label, x + pad, y + pad + 12 * s);
  let big = "-", suffix = "";
  if (m.exercise === "plank") { big = fmtSeconds(m.hold_s); suffix = m.hold_target_s ? `of ${fmtSeconds(m.hold_target_s)}` : ""; }
  else if (m.exercise === "glute_bridge" || m.exercise === "cat_cow") { big = String(m.count); suffix = m.target ? `of ${m.target}` : ""; }
  fitText(ctx, big, w - 2 * pad - (suffix ? 60 * s : 0), 54 * s, "700");
  ctx.fillStyle = "#fff"; ctx.fillText(big, x + pad, y + 72 * s);
  const bw = ctx.measureText(big).width;
  if (suffix) { fitText(ctx, suffix, w - 3 * pad - bw, 16 * s); ctx.fillStyle = DIM; ctx.fillText(suffix, x + 2 * pad + bw, y + 72 * s); }
  if (m.exercise === "plank") {
    const by = y + h - pad - 12 * s, x0 = x + pad, x1 = x + w - pad, share = m.hold_target_s ? Math.min(1, m.hold_s / m.hold_target_s) : 0;
    ctx.strokeStyle = DIM; ctx.lineWidth = 1; ctx.strokeRect(x0, by, x1 - x0, 12 * s);
    if (share > 0) { ctx.fillStyle = share >= 1 ? FORM.good : m.faults.length ? FORM.warn : "rgb(200,200,200)"; ctx.fillRect(x0, by, (x1 - x0) * share, 12 * s); }
  } else if (m.phase) {
    fitText(ctx, m.phase.toUpperCase(), w - 2 * pad, 13 * s); ctx.fillStyle = DIM; ctx.fillText(m.phase.toUpperCase(), x + pad, y + h - pad);
  }
}

function drawGauge(ctx, r, m, s, colour) {
  const g = m.gauge; panel(ctx, r);
  const [x, y, w, h] = r, pad = 12 * s, x0 = x + pad, x1 = x + w - pad;
  const gx = (v) => x0 + (Math.min(Math.max(v, g.low), g.high) - g.low) / (g.high - g.low) * (x1 - x0);
  const known = m.measure != null, name = m.measure_name || "measure";
  const title = !known ? `${name}: --` : g.low < 0 ? `${name}: ${m.measure > 0 ? "+" : ""}${m.measure.toFixed(0)}°` : `${name}: ${m.measure.toFixed(0)}°`;
  fitText(ctx, title, w - 2 * pad, 15 * s); ctx.fillStyle = "#fff"; ctx.fillText(title, x0, y + 22 * s);
  const by = y + 38 * s, bh = 14 * s;
  ctx.fillStyle = "rgb(90,90,90)"; ctx.fillRect(x0, by, x1 - x0, bh);
  ctx.fillStyle = ZONE; ctx.fillRect(gx(g.zone[0]), by, gx(g.zone[1]) - gx(g.zone[0]), bh);
  ctx.font = `${11 * s}px system-ui, sans-serif`; ctx.fillStyle = DIM;
  const lo = g.low_label || g.low.toFixed(0), hi = g.high_label || g.high.toFixed(0);
  ctx.fillText(lo, x0, y + h - 6 * s); ctx.fillText(hi, x1 - ctx.measureText(hi).width, y + h - 6 * s);
  if (known) {
    const xm = gx(m.measure), half = 6 * s;
    ctx.fillStyle = colour; ctx.beginPath(); ctx.moveTo(xm - half, by - half - 2); ctx.lineTo(xm + half, by - half - 2); ctx.lineTo(xm, by); ctx.fill();
    ctx.strokeStyle = colour; ctx.lineWidth = 3 * s; ctx.beginPath(); ctx.moveTo(xm, by); ctx.lineTo(xm, by + bh); ctx.stroke();
  }
}

function drawStats(ctx, r, s, fps, latency) {
  const parts = [];
  if (fps != null) parts.push(`${fps.toFixed(0)} fps`);
  if (latency != null) parts.push(`${latency.toFixed(0)} ms`);
  if (!parts.length || r[2] <= 0) return;
  const text = parts.join("  ");
  fitText(ctx, text, r[2], 13 * s);
  const tw = ctx.measureText(text).width, bx = r[0] + (r[2] - tw) / 2 - 6 * s;
  panel(ctx, [bx, r[1], tw + 12 * s, r[3]]);
  ctx.fillStyle = "#fff"; ctx.textBaseline = "middle"; ctx.fillText(text, bx + 6 * s, r[1] + r[3] / 2); ctx.textBaseline = "alphabetic";
}

/** Draw the feedback of one frame message `m` over the picture already on `ctx`. */
function drawOverlay(ctx, m, opts = {}) {
  const w = ctx.canvas.width, h = ctx.canvas.height, L = layout(w, h), s = L.s;
  const colour = FORM[m.level] || FORM.warn;
  if (m.pose) drawSkeleton(ctx, m.pose, colour, w, h, s, !!opts.mirror);
  drawCounter(ctx, L.counter, m, s);
  drawStats(ctx, L.stats, s, opts.fps, opts.latency);
  if (m.gauge) drawGauge(ctx, L.gauge, m, s, colour);
  if (m.status) banner(ctx, L.status, m.status, s, FORM.warn, 0.7);
  if (m.cue) banner(ctx, L.cue, m.cue, s, "#fff", 0.85);
  if (m.paused) banner(ctx, L.paused, "PAUSED", s, "#fff", 1.2);
}

/** A routine screen (safety note, countdown, rest) over the darkened picture. */
function drawScreen(ctx, title, lines) {
  const w = ctx.canvas.width, h = ctx.canvas.height, s = layout(w, h).s;
  ctx.fillStyle = "rgba(0,0,0,0.65)"; ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = "#fff"; ctx.textAlign = "center";
  let y = h * 0.3;
  [title, ...lines].forEach((text, i) => {
    const px = fitText(ctx, text, w * 0.94, (i === 0 ? 38 : 19) * s, i === 0 ? "700" : "");
    ctx.fillText(text, w / 2, y); y += px + 18 * s;
  });
  ctx.textAlign = "left";
}
