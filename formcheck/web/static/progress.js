"use strict";
document.addEventListener("DOMContentLoaded", async () => {
  const list = document.getElementById("targets");
  try {
    const data = await getJSON("/api/progress");
    if (!data.targets.length) list.append(el("li", { class: "muted", text: "No sessions yet." }));
    for (const t of data.targets) list.append(el("li", { text: t.text }));
  } catch (err) { list.append(el("li", { class: "error", text: err.message })); }
});
