// The live page: camera frames to the server over a WebSocket (at most one in flight), the
// feedback drawn over the very frame it was measured on, cues spoken. See README, "The live
// WebSocket", for the messages.
"use strict";
const params = new URLSearchParams(location.search);
const SEND_WIDTH = Math.min(1280, Number(params.get("width")) || 640);
const QUALITY = Number(params.get("quality")) || 0.75;
const $ = (id) => document.getElementById(id);
const view = $("view"), vctx = view.getContext("2d"), video = $("camera");
const stats = { frames: 0, shown: [], latency: [], started: null, firstFrameAt: null, cameraAt: null };
window.formcheck = { stats, last: null, ended: null, ready: false };

let ws = null, stream = null, inFlight = null, spare = [document.createElement("canvas"), document.createElement("canvas")];
let videoFrames = 0, sentVideoFrame = -1, waiting = false, watchdog = null, paused = false;
let muted = localStorage.getItem("formcheck.muted") === "1";

function setMuted(value) {
  muted = value; localStorage.setItem("formcheck.muted", value ? "1" : "0");
  $("mute").textContent = value ? "Unmute" : "Mute"; $("mute").setAttribute("aria-pressed", String(value));
  if (value && window.speechSynthesis) speechSynthesis.cancel();
}

function say(text, priority) {
  const synth = window.speechSynthesis;
  if (muted || !synth || !window.SpeechSynthesisUtterance) return;
  if (!synth.getVoices().length) return;  // no voice: silently nothing
  if (synth.speaking && priority <= 0) return;
  if (synth.speaking) synth.cancel();
  synth.speak(new SpeechSynthesisUtterance(text));
}

function buttons(running) {
  $("start").disabled = running;
  for (const id of ["pause", "next", "restart", "stop"]) $(id).disabled = !running;
  for (const id of ["exercise", "routine", "knee"]) $(id).disabled = running;
}

function fps() {
  const now = performance.now(), recent = stats.shown.filter((t) => now - t < 2000);
  return recent.length >= 2 ? (recent.length - 1) / ((recent[recent.length - 1] - recent[0]) / 1000) : null;
}

function onVideoFrame() {
  videoFrames++;
  if (waiting) { waiting = false; capture(); }
  if (stream) video.requestVideoFrameCallback(onVideoFrame);
}

function next() {
  // send the next frame as soon as the camera has a new one
  if (!ws || ws.readyState !== WebSocket.OPEN || inFlight) return;
  if (videoFrames > sentVideoFrame || !("requestVideoFrameCallback" in HTMLVideoElement.prototype)) capture();
  else waiting = true;
}

function capture() {
  if (!ws || ws.readyState !== WebSocket.OPEN || inFlight || !video.videoWidth) return;
  const w = Math.min(SEND_WIDTH, video.videoWidth), h = Math.round(video.videoHeight * w / video.videoWidth);
  const c = spare[0]; c.width = w; c.height = h;
  c.getContext("2d").drawImage(video, 0, 0, w, h);
  const t = performance.now();
  sentVideoFrame = videoFrames;
  inFlight = { t, canvas: c };
  c.toBlob(async (blob) => {
    const jpeg = new Uint8Array(await blob.arrayBuffer()), msg = new Uint8Array(8 + jpeg.length);
    new DataView(msg.buffer).setFloat64(0, t, true); msg.set(jpeg, 8);
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(msg);
    clearTimeout(watchdog);
    watchdog = setTimeout(() => { inFlight = null; next(); }, 3000);  // a lost answer never stalls the page
  }, "image/jpeg", QUALITY);
}

function show(m) {
  // draw the frame this answer is about, then its feedback
  const frame = inFlight && inFlight.canvas;
  if (frame) {
    if (view.width !== frame.width || view.height !== frame.height) { view.width = frame.width; view.height = frame.height; }
    vctx.save();
    if ($("mirror").checked) { vctx.translate(view.width, 0); vctx.scale(-1, 1); }
    vctx.drawImage(frame, 0, 0); vctx.restore();
  }
  const now = performance.now(), latency = inFlight ? now - inFlight.t : null;
  if (m.type === "frame") drawOverlay(vctx, m, { mirror: $("mirror").checked, fps: fps(), latency });
  else drawScreen(vctx, m.title, m.lines);
  if (inFlight && m.ack != null) {
    stats.frames++; stats.shown.push(now); if (stats.shown.length > 4000) stats.shown.splice(0, 1000);
    stats.latency.push(latency);
    spare.reverse();
  }
}

function readout(m) {
  window.formcheck.last = m;
  $("count").textContent = String(m.count);
  $("hold").textContent = m.hold_s.toFixed(1);
  $("count-target").textContent = m.target ? `of ${m.target}` : "";
  $("hold-target").textContent = m.hold_target_s ? `of ${m.hold_target_s.toFixed(0)} s` : "";
  $("exercise-now").textContent = (TITLES[m.exercise] || m.exercise) + (m.phase ? ` (${m.phase})` : "");
  $("measure").textContent = m.measure == null ? "-" : `${m.measure_name}: ${m.measure.toFixed(0)}°`;
  $("cue").textContent = m.cue; $("status").textContent = m.status;
  const f = fps(); $("rate").textContent = f ? `${f.toFixed(0)} frames/s` : "";
  if (m.paused !== paused) { paused = m.paused; $("pause").textContent = paused ? "Resume" : "Pause"; }
}

function ended(m) {
  window.formcheck.ended = m;
  const box = $("result"); box.textContent = "";
  if (m.type === "error") { box.append(el("p", { class: "error", text: m.message })); }
  else {
    const s = m.summary || {};
    box.append(el("p", { text: `Session ended (${m.ended.replace("_", " ")}): ${s.rep_count || 0} reps or rounds, ` +
      `${(s.hold_s || 0).toFixed(0)} s held, ${s.warning_count || 0} form warnings.` }));
    for (const line of m.lines || []) box.append(el("p", { class: "muted", text: line }));
    if (m.session_id != null) box.append(el("a", { class: "button primary", href: `/sessions/${m.session_id}`, text: "Open the report" }));
  }
  stop(false);
}

async function start() {
  $("result").textContent = "";
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    $("result").append(el("p", { class: "error", text: "This page cannot use the camera here: open it as http://127.0.0.1:PORT on this computer (or over HTTPS)." }));
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch (err) {
    $("result").append(el("p", { class: "error", text: `No camera: ${err.message || err.name}` }));
    return;
  }
  stats.cameraAt = performance.now();
  video.srcObject = stream; await video.play();
  $("placeholder").hidden = true;
  if ("requestVideoFrameCallback" in video) video.requestVideoFrameCallback(onVideoFrame);
  const routine = $("routine").checked;
  if (routine) { $("safety").hidden = false; $("safety").textContent = "Move gently. Stop and see a clinician if pain worsens."; }
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/api/live`);
  ws.binaryType = "arraybuffer";
  buttons(true);
  ws.onopen = () => ws.send(JSON.stringify({ type: "start", exercise: $("exercise").value, routine,
    knee_plank: $("knee").checked, width: Math.min(SEND_WIDTH, video.videoWidth),
    height: Math.round(video.videoHeight * Math.min(SEND_WIDTH, video.videoWidth) / video.videoWidth) }));
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === "ready") { window.formcheck.ready = true; stats.started = performance.now(); next(); }
    else if (m.type === "frame" || m.type === "screen") {
      if (stats.firstFrameAt == null) stats.firstFrameAt = performance.now();
      show(m); if (m.type === "frame") readout(m);
      if (inFlight && m.ack != null) { clearTimeout(watchdog); inFlight = null; next(); }
    } else if (m.type === "say") say(m.text, m.priority);
    else if (m.type === "ended" || m.type === "error") ended(m);
  };
  ws.onclose = (ev) => {
    if (!window.formcheck.ended) ended({ type: "error", message: `The connection to formcheck closed (${ev.code}${ev.reason ? ": " + ev.reason : ""}).` });
  };
}

function stop(ask = true) {
  if (ask && ws && ws.readyState === WebSocket.OPEN) { ws.send(JSON.stringify({ type: "stop" })); return; }
  clearTimeout(watchdog); inFlight = null; waiting = false;
  if (stream) { for (const t of stream.getTracks()) t.stop(); stream = null; }
  buttons(false);
}

function control(type) { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type })); }

document.addEventListener("DOMContentLoaded", () => {
  const ex = params.get("exercise");
  if (ex && [...$("exercise").options].some((o) => o.value === ex)) $("exercise").value = ex;
  if (params.get("routine") === "1") $("routine").checked = true;
  const sync = () => { $("knee-row").hidden = !$("routine").checked; $("exercise").disabled = $("routine").checked; };
  $("routine").addEventListener("change", sync); sync();
  setMuted(muted);
  $("start").addEventListener("click", start);
  $("stop").addEventListener("click", () => stop(true));
  $("pause").addEventListener("click", () => control("pause"));
  $("next").addEventListener("click", () => control("next"));
  $("restart").addEventListener("click", () => control("restart"));
  $("mute").addEventListener("click", () => setMuted(!muted));
  buttons(false); sync();
});
