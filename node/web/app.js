// The live status page: polls /cluster, renders every replica, keeps a
// timeline of view changes, recoveries and outages, and charts throughput
// and latency. No dependencies.
"use strict";

const pollMs = 250;
const points = 240; // a minute of samples
const series = { throughput: [], latency: [] };
let last = null;       // the previous /cluster answer
let lastView = null;   // per replica: {view, status, up}

function fmtTime(d) {
  return d.toLocaleTimeString(undefined, { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

function event(text) {
  const li = document.createElement("li");
  li.textContent = fmtTime(new Date()) + "  " + text;
  const ol = document.getElementById("timeline");
  ol.insertBefore(li, ol.firstChild);
  while (ol.children.length > 200) ol.removeChild(ol.lastChild);
}

// primaryOf returns the replica that is normal and primary in the highest
// view any replica is normal in, or null.
function primaryOf(view) {
  let best = null;
  for (const r of view.replicas) {
    const s = r.status;
    if (s && s.status === "normal" && s.is_primary && (!best || s.view > best.status.view)) best = r;
  }
  return best;
}

function cell(tr, text) {
  const td = document.createElement("td");
  td.textContent = text;
  tr.appendChild(td);
}

function render(view) {
  const p = primaryOf(view);
  const el = document.getElementById("primary");
  el.textContent = p ? "primary: replica " + p.index + " (view " + p.status.view + ")" : "primary: none (view change in progress)";
  el.dataset.primary = p ? String(p.index) : "";
  document.getElementById("seen").textContent = "as seen by replica " + view.self + " at " + fmtTime(new Date(view.at));
  let maxCommit = 0;
  for (const r of view.replicas) if (r.status) maxCommit = Math.max(maxCommit, r.status.commit_number);
  const body = document.querySelector("#replicas tbody");
  body.replaceChildren();
  for (const r of view.replicas) {
    const tr = document.createElement("tr");
    tr.dataset.replica = String(r.index);
    const s = r.status;
    cell(tr, String(r.index));
    cell(tr, r.address);
    if (!s) {
      tr.className = "down";
      cell(tr, "—"); cell(tr, "down: " + (r.error || "no answer"));
      for (let i = 0; i < 9; i++) cell(tr, "");
    } else {
      tr.className = s.is_primary ? "primary" : (s.has_state || s.role === "witness" ? "" : "nostate");
      cell(tr, s.is_primary ? "primary" : (s.role === "witness" ? "witness" : "backup"));
      cell(tr, s.status);
      cell(tr, String(s.view));
      cell(tr, String(s.op_number));
      cell(tr, String(s.commit_number));
      cell(tr, String(s.executed));
      cell(tr, String(maxCommit - s.executed));
      cell(tr, s.checkpoint_op ? String(s.checkpoint_op) : "—");
      cell(tr, s.role === "witness" ? "witness: log only" : (s.has_state ? "full copy" : "fetching (counts against f)"));
      cell(tr, r.recent_requests ? r.latency_p50_ms.toFixed(2) : "—");
      cell(tr, r.recent_requests ? r.latency_p99_ms.toFixed(2) : "—");
    }
    body.appendChild(tr);
  }
}

function timeline(view) {
  const now = view.replicas.map(r => ({ view: r.status ? r.status.view : null, status: r.status ? r.status.status : "down" }));
  if (lastView) {
    now.forEach((n, i) => {
      const o = lastView[i];
      if (n.status === o.status && n.view === o.view) return;
      if (n.status === "down") event("replica " + i + " unreachable");
      else if (o.status === "down") event("replica " + i + " reachable again (" + n.status + ", view " + n.view + ")");
      else if (n.status === "view-change") event("replica " + i + " started a view change to view " + n.view);
      else if (n.status === "recovering") event("replica " + i + " is recovering");
      else if (o.status === "recovering") event("replica " + i + " recovered into view " + n.view);
      else event("replica " + i + " normal in view " + n.view + (view.replicas[i].status.is_primary ? " as primary" : ""));
    });
  } else {
    event("watching " + view.replicas.length + " replicas from replica " + view.self);
  }
  lastView = now;
}

function sample(view) {
  const p = primaryOf(view);
  let commit = 0;
  for (const r of view.replicas) if (r.status) commit = Math.max(commit, r.status.commit_number);
  const at = new Date(view.at).getTime();
  if (last) {
    const dt = (at - last.at) / 1000;
    push(series.throughput, dt > 0 ? Math.max(0, commit - last.commit) / dt : 0);
  }
  push(series.latency, p && p.recent_requests ? p.latency_p99_ms : 0);
  last = { at: at, commit: commit };
}

function push(arr, v) {
  arr.push(v);
  if (arr.length > points) arr.shift();
}

function chart(id, data, unit) {
  const c = document.getElementById(id);
  const g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  const max = Math.max(1, ...data);
  g.strokeStyle = "#2a7"; g.lineWidth = 1.5; g.beginPath();
  data.forEach((v, i) => {
    const x = (i / (points - 1)) * (c.width - 2) + 1;
    const y = c.height - 14 - (v / max) * (c.height - 24);
    if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
  });
  g.stroke();
  g.fillStyle = "#555"; g.font = "11px sans-serif";
  const lastV = data.length ? data[data.length - 1] : 0;
  g.fillText("now " + lastV.toFixed(unit === "ms" ? 2 : 0) + " " + unit + "   max " + max.toFixed(unit === "ms" ? 2 : 0), 6, c.height - 2);
}

async function poll() {
  try {
    const resp = await fetch("/cluster", { cache: "no-store" });
    const view = await resp.json();
    render(view);
    timeline(view);
    sample(view);
    chart("throughput", series.throughput, "ops/s");
    chart("latency", series.latency, "ms");
  } catch (e) {
    document.getElementById("seen").textContent = "this replica does not answer: " + e;
  }
  setTimeout(poll, pollMs);
}

poll();
