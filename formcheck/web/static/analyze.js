// The Analyse page: each chosen file is one POST /api/analyze (a queued job); the jobs table
// follows /api/jobs until each is done; a finished job opens as its report page.
"use strict";
const $ = (id) => document.getElementById(id);
const openWhenDone = new Set();

async function upload(file) {
  const form = new FormData();
  form.append("file", file); form.append("exercise", $("exercise").value);
  form.append("annotate", $("annotate").checked ? "true" : "false");
  const res = await fetch("/api/analyze", { method: "POST", body: form, credentials: "same-origin" });
  const body = await res.json().catch(() => ({ detail: res.statusText }));
  if (!res.ok) throw new Error(body.detail || res.statusText);
  return body.job;
}

function row(job) {
  const p = job.progress, share = p.total ? Math.min(1, p.done / p.total) : job.status === "done" ? 1 : 0;
  const bar = el("div", { class: "progressbar" }, el("div", { style: `width:${(share * 100).toFixed(0)}%` }));
  const result = job.report ? el("a", { href: job.report, text: "Open the report" }) : el("span", { class: job.status === "failed" ? "error" : "muted", text: job.message });
  return el("tr", { "data-job": job.id }, el("td", { text: job.name }), el("td", { text: job.status }), el("td", {}, bar), el("td", {}, result));
}

async function refresh() {
  const jobs = await getJSON("/api/jobs").catch(() => []);
  const body = $("jobs").querySelector("tbody"); body.textContent = "";
  for (const job of jobs) body.append(row(job));
  for (const job of jobs) if (job.status === "done" && openWhenDone.has(job.id) && openWhenDone.size === 1) { location.href = job.report; return; }
  for (const job of jobs) if (job.status === "done" || job.status === "failed") openWhenDone.delete(job.id);
  if (jobs.some((j) => j.status === "queued" || j.status === "running")) setTimeout(refresh, 700);
}

document.addEventListener("DOMContentLoaded", () => {
  refresh();
  $("upload").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const files = [...$("files").files];
    $("message").textContent = ""; $("message").className = "";
    const problems = [];
    for (const file of files) {
      try { const job = await upload(file); if (files.length === 1) openWhenDone.add(job.id); }
      catch (err) { problems.push(err.message); }
    }
    if (problems.length) { $("message").className = "error"; $("message").textContent = problems.join(" "); }
    refresh();
  });
});
