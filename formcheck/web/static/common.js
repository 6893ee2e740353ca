// Shared by every page: the navigation bar and small helpers. No libraries, no build step.
"use strict";
const NAV = [["/", "formcheck", "brand"], ["/live", "Live"], ["/analyze", "Analyse"],
             ["/sessions", "History"], ["/progress", "Progress"]];
const TITLES = { glute_bridge: "Glute bridge", plank: "Forearm plank", cat_cow: "Cat-cow", auto: "Auto" };
// what the live count counts: a plank's count is its holds (a rest on the knees ends one)
const COUNTED = { glute_bridge: "Reps", plank: "Holds", cat_cow: "Rounds" };

function navBar() {
  const bar = document.createElement("header");
  bar.className = "top";
  for (const [href, label, cls] of NAV) {
    const a = document.createElement("a");
    a.href = href; a.textContent = label;
    if (cls) a.className = cls;
    else if (location.pathname === href || location.pathname.startsWith(href + "/")) a.setAttribute("aria-current", "page");
    bar.appendChild(a);
  }
  document.body.prepend(bar);
}

async function getJSON(url) {
  const res = await fetch(url, { credentials: "same-origin" });
  const body = await res.json().catch(() => ({ detail: res.statusText }));
  if (!res.ok) throw new Error(body.detail || res.statusText);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function seconds(s) {
  if (s == null) return "";
  s = Math.max(0, s);
  return s < 60 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
}

document.addEventListener("DOMContentLoaded", navBar);
