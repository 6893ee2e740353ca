"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const body = document.querySelector("#sessions tbody");
  let rows = [];
  try { rows = await getJSON("/api/sessions"); } catch (err) { body.append(el("tr", {}, el("td", { class: "error", text: err.message }))); return; }
  document.getElementById("empty").hidden = rows.length > 0;
  for (const s of rows) {
    const link = el("a", { href: s.page, text: when(s.started_at) });
    body.append(el("tr", { "data-session": String(s.id) }, el("td", {}, link), el("td", { text: s.kind }),
      el("td", { text: s.exercises.map((e) => TITLES[e] || e).join(", ") || "-" }),
      el("td", { class: "num", text: String(s.summary.rep_count) }), el("td", { class: "num", text: seconds(s.summary.hold_s) }),
      el("td", { class: "num", text: String(s.summary.warning_count) }),
      el("td", { class: `status-${s.status}`, text: s.status })));
  }
});
