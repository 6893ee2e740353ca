// A session: the same report as the HTML export (rendered by the server), the annotated video
// when there is one, and downloads of the JSON and CSV.
"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const id = location.pathname.split("/").filter(Boolean)[1];
  const $ = (x) => document.getElementById(x);
  let doc;
  try { doc = await getJSON(`/api/sessions/${id}`); }
  catch (err) { $("title").textContent = "Session not found"; $("meta").textContent = err.message; $("report").hidden = true; return; }
  const h = doc.history || {};
  $("title").textContent = `Session ${id}: ${h.kind || ""}`;
  const ended = doc.live ? `, ended: ${doc.live.ended.replace("_", " ")}` : "";
  $("meta").textContent = `${when(h.started_at)}, ${h.status}${ended}`;
  $("downloads").append(el("a", { class: "button", href: `/sessions/${id}/report.json`, text: "Download JSON" }), " ",
    el("a", { class: "button", href: `/sessions/${id}/report.csv`, text: "Download CSV" }));
  const rows = await getJSON("/api/sessions").catch(() => []);
  const row = rows.find((r) => String(r.id) === String(id));
  if (row && row.video) $("video").append(el("h2", { text: "Annotated video" }), el("video", { class: "annotated", src: row.video, controls: "" }));
  const frame = $("report");
  frame.addEventListener("load", () => { frame.style.height = frame.contentDocument.documentElement.scrollHeight + 20 + "px"; });
  frame.src = `/sessions/${id}/report.html`;
});
