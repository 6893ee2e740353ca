// The live page: camera frames to the server over a WebSocket (at most one in flight), the
// feedback drawn over the very frame it was measured on, cues spoken. See README, "The live
// WebSocket", for the messages.
"use strict";
const params = new URLSearchParams(location.search);
const SEND_WIDTH = Math.min(1280, Number(params.get("width")) || 640);
const QUALITY = Number(params.get("quality")) || 0.7;
const PIPELINE = params.get("pipeline") !== "0";  // ?pipeline=0: grab the next frame only once answered
const $ = (id) => document.getElementById(id);
const view = $("view"), vctx = view.getContext("2d"), video = $("camera");
const stats = { frames: 0, shown: [], latency: [], timing: [], started: null, firstFrameAt: null, cameraAt: null };
window.formcheck = { stats, last: null, ended: null, ready: false, sessionId: null, screens: [] };

// The frame pipeline: at most one frame in flight (sent, not answered yet). While the server
// works on it, the next one is grabbed and JPEG-encoded so that it is ready just as the answer
// comes back (the grab is timed from the recent round trips, so the frame is fresh when sent).
let ws = null, stream = null, inFlight = null, ready = null, preparing = false, prepTimer = null;
let videoFrames = 0, grabbedVideoFrame = -1, waiting = false, watchdog = null, paused = false;
const pool = [];
const est = { rtt: 40, encode: 8 };  // recent round trip (send to answer) and grab + encode, ms
const hasFrameCallback = "requestVideoFrameCallback" in HTMLVideoElement.prototype;
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
  if (waiting) grab();
  if (stream) video.requestVideoFrameCallback(onVideoFrame);
}

const isOpen = () => ws && ws.readyState === WebSocket.OPEN;
const ema = (old, value) => 0.8 * old + 0.2 * value;

function frameSize() {
  const w = Math.min(SEND_WIDTH, video.videoWidth);
  return [w, Math.round(video.videoHeight * w / video.videoWidth)];
}

function prepare() {
  // grab and encode the next frame (a new camera frame: never the same one twice)
  clearTimeout(prepTimer); prepTimer = null;
  if (preparing || ready || !isOpen() || !video.videoWidth) return;
  preparing = true;
  if (hasFrameCallback && videoFrames <= grabbedVideoFrame) waiting = true;  // onVideoFrame grabs
  else grab();
}

function grab() {
  waiting = false;
  const [w, h] = frameSize(), c = pool.pop() || document.createElement("canvas");
  if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
  const t = performance.now();
  c.getContext("2d").drawImage(video, 0, 0, w, h);
  grabbedVideoFrame = videoFrames;
  const grabbed = performance.now();
  c.toBlob(async (blob) => {  // encoded off the main thread
    if (!blob || !isOpen()) { preparing = false; pool.push(c); return; }
    const jpeg = new Uint8Array(await blob.arrayBuffer()), msg = new Uint8Array(8 + jpeg.length);
    new DataView(msg.buffer).setFloat64(0, t, true); msg.set(jpeg, 8);
    const encoded = performance.now();
    est.encode = ema(est.encode, encoded - t);
    preparing = false;
    ready = { t, canvas: c, msg, grab: grabbed - t, encode: encoded - grabbed, encoded, bytes: jpeg.length };
    sendReady();
  }, "image/jpeg", QUALITY);
}

function sendReady() {
  if (!ready || inFlight || !isOpen()) return;
  const f = ready; ready = null;
  f.sentAt = performance.now();
  ws.send(f.msg); f.msg = null;
  inFlight = f;
  clearTimeout(watchdog);
  watchdog = setTimeout(() => {  // a lost answer never stalls the page
    if (inFlight) pool.push(inFlight.canvas);
    inFlight = null; sendReady(); if (!ready) prepare();
  }, 3000);
  if (PIPELINE) prepTimer = setTimeout(prepare, Math.max(0, est.rtt - est.encode - 4));
}

function answered(m) {
  // the answer to the frame in flight: send the next frame at once, then draw this one
  const f = inFlight, now = performance.now();
  inFlight = null; clearTimeout(watchdog);
  est.rtt = ema(est.rtt, now - f.sentAt);
  if (ready && now - ready.t > est.encode + 40) { pool.push(ready.canvas); ready = null; }  // stale: a newer one
  sendReady();  // (which times the grab of the one after)
  if (!inFlight && !preparing) prepare();  // nothing was ready: grab one now
  show(m, f);
  const drawn = performance.now();
  stats.frames++; stats.shown.push(drawn); stats.latency.push(drawn - f.t);
  stats.timing.push({ grab: f.grab, encode: f.encode, held: f.sentAt - f.encoded, rtt: now - f.sentAt,
    draw: drawn - now, bytes: f.bytes, ...(m.timing || {}) });
  if (stats.shown.length > 4000) { for (const a of [stats.shown, stats.latency, stats.timing]) a.splice(0, 1000); }
  pool.push(f.canvas);
}

function show(m, f) {
  // draw the frame this answer is about, then its feedback
  const frame = f && f.canvas;
  if (frame) {
    if (view.width !== frame.width || view.height !== frame.height) { view.width = frame.width; view.height = frame.height; }
    vctx.save();
    if ($("mirror").checked) { vctx.translate(view.width, 0); vctx.scale(-1, 1); }
    vctx.drawImage(frame, 0, 0); vctx.restore();
  }
  const latency = f ? performance.now() - f.t : null;
  if (m.type === "frame") drawOverlay(vctx, m, { mirror: $("mirror").checked, fps: fps(), latency });
  else drawScreen(vctx, m.title, m.lines);
}

function screen(m) {
  // a routine screen (safety note, countdown, rest), also as text beside the picture
  const log = window.formcheck.screens, last = log[log.length - 1], key = m.title.replace(/\d+/g, "#");
  if (!last || last.key !== key) log.push({ key, title: m.title, lines: m.lines, at: performance.now() });
  $("screen").hidden = false;
  $("screen").textContent = [m.title, ...m.lines].filter(Boolean).join(" · ");
}

function readout(m) {
  window.formcheck.last = m;
  $("screen").hidden = true;
  $("count-label").textContent = COUNTED[m.exercise] || "Reps / rounds";
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
  if (hasFrameCallback) video.requestVideoFrameCallback(onVideoFrame);
  const routine = $("routine").checked;
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  ws = new WebSocket(`${proto}//${location.host}/api/live`);
  ws.binaryType = "arraybuffer";
  buttons(true);
  const [width, height] = frameSize();
  ws.onopen = () => ws.send(JSON.stringify({ type: "start", exercise: $("exercise").value, routine,
    knee_plank: $("knee").checked, width, height }));
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === "ready") {
      Object.assign(window.formcheck, { ready: true, sessionId: m.session_id });
      stats.started = performance.now();
      if (m.safety_note) { $("safety").hidden = false; $("safety").textContent = m.safety_note.join(" "); }
      prepare();
    } else if (m.type === "frame" || m.type === "screen") {
      if (stats.firstFrameAt == null) stats.firstFrameAt = performance.now();
      if (m.type === "frame") readout(m); else screen(m);
      if (inFlight && m.ack != null) answered(m); else show(m, null);
    } else if (m.type === "say") say(m.text, m.priority);
    else if (m.type === "ended" || m.type === "error") ended(m);
  };
  ws.onclose = (ev) => {
    if (!window.formcheck.ended) ended({ type: "error", message: `The connection to formcheck closed (${ev.code}${ev.reason ? ": " + ev.reason : ""}).` });
  };
}

function stop(ask = true) {
  if (ask && isOpen()) { ws.send(JSON.stringify({ type: "stop" })); return; }
  clearTimeout(watchdog); clearTimeout(prepTimer); inFlight = null; ready = null; preparing = false; waiting = false;
  if (stream) { for (const t of stream.getTracks()) t.stop(); stream = null; }
  buttons(false);
}

function control(type) { if (isOpen()) ws.send(JSON.stringify({ type })); }

document.addEventListener("DOMContentLoaded", () => {
  const ex = params.get("exercise");
  if (ex && [...$("exercise").options].some((o) => o.value === ex)) $("exercise").value = ex;
  if (params.get("routine") === "1") $("routine").checked = true;
  if (params.get("knee") === "1") $("knee").checked = true;
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
