// The localshift console: polls the state document (/_localshift/state) and draws it.
// Every section is drawn from its columns alone (server/state_sections.py), so a resource kind
// the server adds appears here without a change to this file.
"use strict";

const STATE_URL = "/_localshift/state";
const RESET_URL = "/_localshift/reset";
const POLL_MS = 1000;
const CREDENTIALS = "localshift-console-credentials";
const OVERVIEW = "Overview";

const view = { state: null, drawn: "", account: null, region: null, polling: false };

function $(id) {
  return document.getElementById(id);
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// --- credentials (strict mode) -------------------------------------------------------------

function credentials() {
  const kept = sessionStorage.getItem(CREDENTIALS);
  return kept ? JSON.parse(kept) : null;
}

function showSignIn(message) {
  $("layout").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message || "";
  $("server").textContent = "strict mode: sign in";
}

$("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  sessionStorage.setItem(CREDENTIALS, JSON.stringify({
    accessKey: form.get("access_key").trim(), secretKey: form.get("secret_key"),
  }));
  $("sign-in").hidden = true;
  startPolling();
});

$("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem(CREDENTIALS);
  view.state = null;
  view.drawn = "";
  showSignIn("");
});

// --- polling -------------------------------------------------------------------------------

async function fetchState() {
  const signing = credentials();
  const headers = signing ? await sigv4.headers("GET", STATE_URL, signing) : {};
  const response = await fetch(STATE_URL, { headers, cache: "no-store" });
  const body = await response.json();
  return { status: response.status, body };
}

async function poll() {
  try {
    const { status, body } = await fetchState();
    if (status === 403) {
      view.polling = false;
      const signedIn = credentials() !== null;
      sessionStorage.removeItem(CREDENTIALS);
      showSignIn(signedIn ? body.error : "");
      return;
    }
    if (status !== 200) throw new Error(body.error || `HTTP ${status}`);
    view.state = body;
    draw();
  } catch (error) {
    $("server").textContent = `cannot reach the server: ${error.message}`;
    $("server").className = "unreachable";
  }
  setTimeout(poll, POLL_MS);
}

function startPolling() {
  if (view.polling) return;
  view.polling = true;
  poll();
}

// --- formatting ----------------------------------------------------------------------------

function bytes(value) {
  if (value === null || value === undefined) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return `${unit ? size.toFixed(1) : size} ${units[unit]}`;
}

function time(value) {
  if (!value) return "—";
  const at = new Date(value);
  const pad = (n) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ` +
    `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

function statusClass(value) {
  if (typeof value === "number") return value < 300 ? "ok" : value < 500 ? "warn" : "bad";
  const text = String(value).toLowerCase();
  if (["available", "serving", "completed", "active", "authorized", "succeeded", "finished"].includes(text)) return "ok";
  if (/fail|error|incompatible/.test(text)) return "bad";
  if (/ing$/.test(text) || text === "final snapshot") return "busy";
  return "neutral";
}

function progress(value) {
  if (!value || !value.total_mb) {
    return element("span", { class: "progress" }, element("progress", { "aria-label": "under way" }), " under way");
  }
  const percent = Math.min(100, (100 * value.done_mb) / value.total_mb);
  return element("span", { class: "progress" },
    element("progress", { value: value.done_mb, max: value.total_mb }),
    ` ${percent.toFixed(0)}% · ${value.done_mb} of ${value.total_mb} MB`);
}

const CELLS = {
  text: (v) => (v === null || v === undefined || v === "" ? "—" : String(v)),
  status: (v) => (v === null || v === undefined ? "—" : element("span", { class: `status ${statusClass(v)}` }, String(v))),
  bytes,
  megabytes: (v) => bytes(v === null || v === undefined ? null : Math.round(v * 1024 * 1024)),
  list: (v) => (v && v.length ? element("span", { class: "chips" }, ...v.map((x) => element("span", { class: "chip" }, x))) : "—"),
  progress,
  time,
  milliseconds: (v) => (v === null || v === undefined ? "—" : `${v} ms`),
  seconds: (v) => (v === null || v === undefined ? "—" : `${v} s`),
};

// --- drawing -------------------------------------------------------------------------------

function shown(row) {
  return (view.account === null || row.account === view.account) &&
    (view.region === null || row.region === view.region || row.region === null);
}

function pages() {
  const names = [OVERVIEW];
  for (const section of view.state.sections) if (!names.includes(section.page)) names.push(section.page);
  return names;
}

function currentPage() {
  const wanted = decodeURIComponent(location.hash.slice(1));
  return pages().includes(wanted) ? wanted : OVERVIEW;
}

function drawHeader() {
  const { server } = view.state;
  $("server").className = "";
  $("server").textContent = `v${server.version} · ${server.mode} mode · data plane ${server.data_plane ? "on" : "off"}` +
    (server.account ? ` · account ${server.account}` : "") + ` · updated ${time(new Date().toISOString())}`;
  $("reset").hidden = server.mode !== "open";
  $("sign-out").hidden = credentials() === null;
  const page = currentPage();
  $("pages").replaceChildren(...pages().map((name) =>
    element("a", { href: `#${encodeURIComponent(name)}`, "aria-current": name === page ? "page" : null }, name)));
}

function placeLink(label, account, region) {
  const link = element("a", { href: "#", "data-account": account, "data-region": region }, label);
  if (view.account === account && view.region === region) link.setAttribute("aria-current", "true");
  link.addEventListener("click", (event) => {
    event.preventDefault();
    view.account = account;
    view.region = region;
    draw(true);
  });
  return link;
}

function drawPlaces() {
  const items = [element("li", {}, placeLink("All accounts", null, null))];
  for (const { account, regions } of view.state.accounts) {
    const nested = element("ul", {}, ...regions.map((region) => element("li", {}, placeLink(region, account, region))));
    items.push(element("li", {}, placeLink(account, account, null), nested));
  }
  $("places").replaceChildren(...items);
}

function drawSection(section) {
  const rows = section.rows.filter(shown);
  const heading = element("h2", {}, section.title, " ", element("span", { class: "count" }, String(rows.length)));
  if (!rows.length) {
    return element("section", { "data-section": section.name }, heading, element("p", { class: "empty" }, "None."));
  }
  const head = element("tr", {}, ...section.columns.map((column) => element("th", { scope: "col" }, column.title)));
  const body = rows.map((row) => element("tr", {},
    ...section.columns.map((column) => element("td", { "data-column": column.key },
      (CELLS[column.kind] || CELLS.text)(row[column.key])))));
  return element("section", { "data-section": section.name }, heading,
    element("div", { class: "scroll" }, element("table", {}, element("thead", {}, head), element("tbody", {}, ...body))));
}

function drawSummary() {
  const { summary, sections } = view.state;
  const cards = sections
    .filter((section) => !["progress", "calls"].includes(section.name))
    .map((section) => [section.title, String(section.rows.filter(shown).length)]);
  cards.push(
    ["Engines serving", `${summary.engines_serving} of ${summary.engines}`],
    ["Disk used by engines", bytes(summary.engine_bytes)],
    ["Disk used by snapshots", bytes(summary.snapshot_bytes)],
  );
  return element("section", { class: "summary", "data-section": "summary" },
    ...cards.map(([title, value]) => element("div", { class: "card" },
      element("span", { class: "value" }, value), element("span", { class: "title" }, title))));
}

function draw(force = false) {
  if (!view.state) return;
  $("sign-in").hidden = true;
  $("layout").hidden = false;
  drawHeader();
  const page = currentPage();
  const fingerprint = JSON.stringify([page, view.account, view.region, view.state.accounts,
    view.state.sections, view.state.summary]);
  if (!force && fingerprint === view.drawn) return;
  view.drawn = fingerprint;
  drawPlaces();
  const sections = view.state.sections.filter((section) => section.page === page).map(drawSection);
  $("page").replaceChildren(...(page === OVERVIEW ? [drawSummary(), ...sections] : sections));
  $("page").dataset.page = page;
}

$("reset").addEventListener("click", async () => {
  if (!confirm("Reset removes every resource of every account: clusters, engines, snapshots. Go on?")) return;
  const response = await fetch(RESET_URL, { method: "POST" });
  if (!response.ok) alert(`Reset failed: ${(await response.json()).error}`);
});

window.addEventListener("hashchange", () => draw(true));
startPolling();
