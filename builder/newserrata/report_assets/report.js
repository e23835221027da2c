"use strict";
// Every piece of data reaches the page through textContent, dataset or attribute values, never as
// markup, so a text containing <script> shows as text. Offsets arrive already in UTF-16 units.
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const CATS = D.categories;
  const SEVS = D.severities;
  const RANK = { major: 3, minor: 2, neutral: 1 };
  const SEV_COLOUR = { major: "#d64545", minor: "#e3a008", neutral: "#9aa5b1" };
  const RECORDS = D.records;
  const MODEL = D.model;
  const L = D.labels;
  const PAGE = 50;
  const $ = (sel) => document.querySelector(sel);

  function h(tag, props, ...kids) {
    const e = document.createElement(tag);
    setProps(e, props);
    for (const k of kids) if (k !== null && k !== undefined && k !== false) e.append(k);
    return e;
  }
  function s(tag, props, ...kids) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    setProps(e, props);
    for (const k of kids) if (k !== null && k !== undefined) e.append(k);
    return e;
  }
  function setProps(e, props) {
    if (!props) return;
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "tip") e.dataset.tip = v;
      else if (k === "cls") e.setAttribute("class", v);
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
  }
  const num = (v) => (v === null || v === undefined ? "–" : Number(v).toLocaleString("en-US"));
  const fix = (v, d = 2) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));
  const pct = (a, b) => (b ? `${Math.round((100 * a) / b)}%` : "–");
  const plural = (n, one, many) => `${num(n)} ${n === 1 ? one : many || one + "s"}`;

  // ------------------------------------------------------------------ tabs and tooltip
  const tabs = document.querySelectorAll(".tabs button");
  function showTab(name) {
    for (const b of tabs) b.setAttribute("aria-selected", String(b.dataset.tab === name));
    for (const p of document.querySelectorAll(".tab-panel")) p.hidden = p.id !== name;
    window.scrollTo(0, 0);
    if (name === "articles" && !state.listed) renderList();
  }
  for (const b of tabs) b.addEventListener("click", () => showTab(b.dataset.tab));

  const tip = $("#tip");
  document.addEventListener("mouseover", (ev) => {
    const t = ev.target.closest ? ev.target.closest("[data-tip]") : null;
    if (!t) { tip.hidden = true; return; }
    tip.textContent = t.dataset.tip;
    tip.hidden = false;
    placeTip(ev);
  });
  document.addEventListener("mousemove", (ev) => { if (!tip.hidden) placeTip(ev); });
  function placeTip(ev) {
    const w = tip.offsetWidth, hgt = tip.offsetHeight;
    tip.style.left = `${Math.max(6, Math.min(ev.clientX + 14, innerWidth - w - 6))}px`;
    tip.style.top = `${ev.clientY + 18 + hgt > innerHeight ? ev.clientY - hgt - 12 : ev.clientY + 18}px`;
  }

  // ------------------------------------------------------------------ overview
  function overview() {
    const S = D.summary;
    if (D.sampled) {
      const how = D.sampled === "worst" ? "the worst-scored records" : "a fixed sample chosen by a hash of the record id";
      $("#notice").textContent = `This build has ${num(S.records)} records; the article browser holds ${num(S.embedded)} of them (${how}). Every statistic and chart on this page covers all ${num(S.records)}.`;
      $("#notice").hidden = false;
    }
    const splitText = S.splits.filter((x) => x.name).map((x) => `${x.name} ${num(x.records)}`).join(" · ") || "not split";
    const cards = [
      ["Records", num(S.records), `${num(S.with_errors)} with errors (${pct(S.with_errors, S.records)})`],
      ["Splits", String(S.splits.filter((x) => x.name).length || "–"), splitText],
      ["Sources", num(S.sources.length), S.sources.map((x) => x.name).join(", ")],
      ["Annotators", num(S.annotators), `distinct per source; ${num(S.multi)} records with 2 or more`],
      ["Gold spans", num(S.spans), `${fix(S.spans / Math.max(1, S.records), 1)} per record`],
      ["Agreement", fix(S.agreement), S.agreement === null ? "no multi-annotator records" : "mean pairwise character IoU"],
      ["Characters", num(S.characters), `${num(Math.round(S.characters / Math.max(1, S.records)))} per record`],
    ];
    const box = $("#cards");
    for (const [k, v, sub] of cards) box.append(h("div", { cls: "card" }, h("div", { cls: "k", text: k }), h("div", { cls: "v", text: v }), h("div", { cls: "s", text: sub })));

    const head = ["Source", "Records", "Languages", "Annotators", "Per record", "Gold spans", "With errors", "Mean MQM", "Pairwise IoU", "Krippendorff α"];
    const table = $("#sources-table");
    table.append(h("thead", null, h("tr", null, ...head.map((x) => h("th", { text: x })))));
    const body = h("tbody");
    for (const x of S.sources) {
      body.append(h("tr", null, ...[x.name, num(x.records), x.languages.join(", "), num(x.annotators), fix(x.per_record, 1), num(x.spans),
        `${num(x.with_errors)} (${pct(x.with_errors, x.records)})`, fix(x.mqm, 1), fix(x.agreement), fix(x.alpha)].map((v) => h("td", { text: v }))));
    }
    table.append(body);
    severityChart();
    categoryCharts("");
  }

  function legend(items) {
    return h("div", { cls: "legend" }, ...items.map(([label, colour]) => h("span", null, h("i", { style: `background:${colour}` }), label)));
  }

  // One horizontal stacked bar per row; parts are [severity index, count].
  function bars(rows, width, labelWidth) {
    const rowH = 24, top = 6, right = 54;
    const max = Math.max(1, ...rows.map((r) => r.total));
    const plot = width - labelWidth - right;
    const svgEl = s("svg", { viewBox: `0 0 ${width} ${top + rows.length * rowH + 4}`, width: "100%", role: "img", style: `max-width:${width}px` });
    for (const [i, r] of rows.entries()) {
      const y = top + i * rowH;
      svgEl.append(s("text", { x: labelWidth - 8, y: y + 15, "text-anchor": "end", text: r.label }));
      let x = labelWidth;
      for (const [sev, n] of r.parts) {
        const w = (plot * n) / max;
        if (n) svgEl.append(s("rect", { x, y: y + 3, width: Math.max(w, 1), height: rowH - 8, rx: 2, fill: SEV_COLOUR[SEVS[sev]], tip: `${r.label}\n${SEVS[sev]}: ${num(n)}` }));
        x += w;
      }
      svgEl.append(s("text", { x: x + 6, y: y + 15, cls: "muted", text: num(r.total) }));
    }
    return svgEl;
  }

  function severityRows(filterSplit) {
    const rows = new Map();
    for (const [src, split, cat, sev, n] of D.summary.counts) {
      if (filterSplit !== undefined && split !== filterSplit) continue;
      const key = filterSplit === undefined ? `${src}\u0000${split}` : cat;
      if (!rows.has(key)) rows.set(key, { src, split, cat, sev: new Map(), total: 0 });
      const row = rows.get(key);
      const i = SEVS.indexOf(sev);
      row.sev.set(i, (row.sev.get(i) || 0) + n);
      row.total += n;
    }
    return rows;
  }

  function severityChart() {
    const rows = [...severityRows().values()].map((r) => ({
      label: r.split ? `${r.src} · ${r.split}` : r.src, total: r.total,
      parts: [...r.sev.entries()].sort((a, b) => a[0] - b[0]),
    }));
    const box = $("#chart-severity");
    if (!rows.length) { box.textContent = "No gold spans."; return; }
    box.append(legend(SEVS.map((x) => [x, SEV_COLOUR[x]])), bars(rows, 760, 240));
  }

  function categoryCharts(split) {
    const buttons = $("#chart-split-buttons");
    if (!buttons.childElementCount && D.splits.length) {
      const seg = h("span", { cls: "seg" });
      for (const name of ["", ...D.splits]) {
        seg.append(h("button", { type: "button", "aria-pressed": String(name === split), text: name || "all splits", onclick: (ev) => {
          for (const b of seg.children) b.setAttribute("aria-pressed", String(b === ev.currentTarget));
          categoryCharts(name);
        } }));
      }
      buttons.append(seg);
    }
    const box = $("#chart-categories");
    box.replaceChildren();
    for (const src of D.sources) {
      const counts = new Map();
      for (const [s2, sp, cat, sev, n] of D.summary.counts) {
        if (s2 !== src || (split && sp !== split)) continue;
        if (!counts.has(cat)) counts.set(cat, new Map());
        const m = counts.get(cat), i = SEVS.indexOf(sev);
        m.set(i, (m.get(i) || 0) + n);
      }
      const rows = [...counts.entries()].sort((a, b) => CATS.indexOf(a[0]) - CATS.indexOf(b[0])).map(([cat, m]) => ({
        label: cat, parts: [...m.entries()].sort((a, b) => a[0] - b[0]), total: [...m.values()].reduce((a, b) => a + b, 0),
      }));
      const total = rows.reduce((a, r) => a + r.total, 0);
      const panel = h("div", null, h("h3", { text: `${src} — ${plural(total, "gold span")}${split ? ` in ${split}` : ""}` }));
      panel.append(rows.length ? bars(rows, 520, 190) : h("p", { cls: "legend", text: "No gold spans." }));
      box.append(panel);
    }
  }

  // ------------------------------------------------------------------ article list
  const state = { page: 0, current: null, filtered: RECORDS, listed: false };
  const sorts = MODEL
    ? [["worst", "Worst model score first"], ["order", "Release order"], ["spans", "Most gold spans"], ["mqm", "Lowest MQM score"], ["agr", "Lowest agreement"]]
    : [["order", "Release order"], ["spans", "Most gold spans"], ["mqm", "Lowest MQM score"], ["agr", "Lowest agreement"]];

  function options(select, all, values) {
    select.append(h("option", { value: "", text: all }));
    for (const [v, label] of values) select.append(h("option", { value: v, text: label }));
  }
  function catsOf(r) {
    if (!r._cats) {
      r._cats = new Set(r.g.map((x) => x[2]));
      for (const a of r.an) for (const x of a[2]) r._cats.add(x[2]);
    }
    return r._cats;
  }
  function haystack(r) {
    if (r._hay === undefined) r._hay = `${r.id}\n${r.t || ""}\n${r.x}`.toLowerCase();
    return r._hay;
  }
  function setUpFilters() {
    options($("#f-source"), "All sources", D.sources.map((x, i) => [String(i), x]));
    options($("#f-system"), "All systems", D.systems.map((x, i) => [String(i), x]));
    options($("#f-split"), "All splits", D.splits.map((x, i) => [String(i), x]));
    const present = new Set();
    for (const r of RECORDS) for (const c of catsOf(r)) present.add(c);
    options($("#f-category"), "All categories", CATS.map((x, i) => [String(i), x]).filter(([i]) => present.has(Number(i))));
    for (const [v, label] of sorts) $("#sort").append(h("option", { value: v, text: label }));
    if (!D.systems.length) $("#f-system").disabled = true;
    if (!D.splits.length) $("#f-split").disabled = true;
    let timer = 0;
    $("#q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(applyFilters, 150); });
    for (const id of ["#f-source", "#f-system", "#f-split", "#f-category", "#sort"]) $(id).addEventListener("change", applyFilters);
    $("#prev").addEventListener("click", () => { state.page -= 1; renderList(); });
    $("#next").addEventListener("click", () => { state.page += 1; renderList(); });
  }

  const byKey = {
    order: null,
    spans: (a, b) => b.g.length - a.g.length,
    mqm: (a, b) => a.mqm - b.mqm,
    agr: (a, b) => (a.agr ?? 2) - (b.agr ?? 2),
    worst: (a, b) => (a.sc ? a.sc.iou : 2) - (b.sc ? b.sc.iou : 2) || (a.sc ? a.sc.f1 : 2) - (b.sc ? b.sc.f1 : 2) || (b.sc ? b.sc.fn + b.sc.fp : 0) - (a.sc ? a.sc.fn + a.sc.fp : 0),
  };
  function applyFilters() {
    const q = $("#q").value.trim().toLowerCase();
    const src = $("#f-source").value, sys = $("#f-system").value, spl = $("#f-split").value, cat = $("#f-category").value;
    let out = RECORDS.filter((r) => (src === "" || r.src === Number(src)) && (sys === "" || r.sys === Number(sys))
      && (spl === "" || r.spl === Number(spl)) && (cat === "" || catsOf(r).has(Number(cat))) && (!q || haystack(r).includes(q)));
    const cmp = byKey[$("#sort").value];
    if (cmp) out = out.slice().sort(cmp);
    state.filtered = out;
    state.page = 0;
    renderList();
  }

  function renderList() {
    state.listed = true;
    const list = $("#list"), rs = state.filtered;
    const pages = Math.max(1, Math.ceil(rs.length / PAGE));
    state.page = Math.max(0, Math.min(state.page, pages - 1));
    const first = state.page * PAGE;
    list.replaceChildren(...rs.slice(first, first + PAGE).map(listItem));
    $("#count").textContent = rs.length === RECORDS.length ? `${plural(rs.length, "article")}` : `${num(rs.length)} of ${plural(RECORDS.length, "article")} match`;
    $("#page").textContent = rs.length ? `${num(first + 1)}–${num(Math.min(first + PAGE, rs.length))} of ${num(rs.length)}` : "nothing matches";
    $("#prev").disabled = state.page === 0;
    $("#next").disabled = state.page >= pages - 1;
  }

  function listItem(r) {
    const majors = r.g.filter((x) => SEVS[x[3]] === "major").length;
    const meta = [D.sources[r.src], r.sys >= 0 ? D.systems[r.sys] : null, r.spl >= 0 ? D.splits[r.spl] : null, r.lang].filter(Boolean).join(" · ");
    const badges = h("div", { cls: "badges" },
      h("span", { cls: `badge ${majors ? "major" : r.g.length ? "minor" : ""}`, text: r.g.length ? `${plural(r.g.length, "span")}${majors ? `, ${majors} major` : ""}` : "no errors" }),
      h("span", { cls: "badge", text: `MQM ${fix(r.mqm, 1)}` }),
      r.an.length > 1 ? h("span", { cls: "badge", text: `${r.an.length} annotators` }) : null,
      r.sc ? h("span", { cls: `badge ${r.sc.iou >= 0.5 ? "good" : "bad"}`, text: `IoU ${fix(r.sc.iou)} · F1 ${fix(r.sc.f1)}` }) : null);
    return h("li", { "aria-current": String(r === state.current), "data-id": r.id, tabindex: "0", onclick: () => openRecord(r),
      onkeydown: (ev) => { if (ev.key === "Enter") openRecord(r); } },
      h("div", { cls: "name", text: r.t || r.id }), h("div", { cls: "meta", text: meta }), badges);
  }

  // ------------------------------------------------------------------ painting spans onto a text
  // spans: {s, e, cls, tip, key}; they may overlap (an annotator's own spans can) and may be empty
  // (an omission's insertion point). Marks never split a gold span: only span edges are boundaries.
  function paint(text, spans) {
    const box = h("div", { cls: "text" });
    const full = spans.filter((x) => x.e > x.s);
    const points = new Set([0, text.length]);
    for (const x of full) { points.add(x.s); points.add(x.e); }
    const cuts = [...points].sort((a, b) => a - b);
    const inserts = spans.filter((x) => x.e === x.s).sort((a, b) => a.s - b.s);
    let ins = 0;
    for (let k = 0; k + 1 < cuts.length; k++) {
      const a = cuts[k], b = cuts[k + 1];
      const over = full.filter((x) => x.s <= a && x.e >= b);
      const node = over.length ? markFor(over) : box;
      let at = a;
      while (ins < inserts.length && inserts[ins].s < b) {
        const p = Math.max(inserts[ins].s, a);
        if (p > at) node.append(text.slice(at, p));
        node.append(insertion(inserts[ins]));
        at = p; ins++;
      }
      if (b > at) node.append(text.slice(at, b));
      if (node !== box) box.append(node);
    }
    while (ins < inserts.length) box.append(insertion(inserts[ins++]));
    return box;
  }
  function insertion(x) {
    return h("span", { cls: `ins ${x.cls}`, tip: x.tip, role: "img", "aria-label": "omission" });
  }
  function markFor(over) {
    const top = over.reduce((a, b) => (b.rank || 0) > (a.rank || 0) ? b : a);
    const m = h("mark", { cls: top.cls, tip: over.map((x) => x.tip).join("\n\n") });
    if (top.style) m.setAttribute("style", top.style);
    if (over.length === 1 && over[0].key !== undefined) m.dataset.key = over[0].key;
    return m;
  }

  const catName = (i) => (i >= 0 ? CATS[i] : "no category");
  const sevName = (i) => (i >= 0 ? SEVS[i] : "no severity");
  function describe(x, who) {
    const parts = [`${who ? who + ": " : ""}${CATS[x[2]]} · ${SEVS[x[3]]}`];
    if (x[5]) parts.push(`original label: ${x[5]}`);
    if (x[4]) parts.push(`note: ${x[4]}`);
    return parts.join("\n");
  }
  function votersOf(r, g) {
    const out = [];
    for (const a of r.an) for (const x of a[2]) if (x[0] < g[1] && x[1] > g[0]) out.push([a[0], x]);
    return out;
  }

  // ------------------------------------------------------------------ one article
  function openRecord(r, view, quiet) {
    state.current = r;
    for (const li of $("#list").children) li.setAttribute("aria-current", String(li.dataset.id === r.id));
    if (!quiet) history.replaceState(null, "", `#a=${encodeURIComponent(r.id)}`);
    const box = $("#article");
    const facts = [
      ["Source", D.sources[r.src]], ["System", r.sys >= 0 ? D.systems[r.sys] : null], ["Split", r.spl >= 0 ? D.splits[r.spl] : null],
      ["Language", r.sl_lang ? `${r.sl_lang} → ${r.lang}` : r.lang], ["Process", r.proc], ["Date", r.date],
      ["Annotators", r.an.map((a) => `${a[0]} (${a[1]})`).join(", ")], ["MQM", fix(r.mqm, 2)], ["Agreement (IoU)", r.agr === undefined ? null : fix(r.agr)],
    ];
    const factBox = h("div", { cls: "facts" }, ...facts.filter((f) => f[1]).map(([k, v]) => h("span", null, h("b", { text: k }), v)));
    if (r.url && /^https?:\/\//i.test(r.url)) factBox.append(h("span", null, h("b", { text: "URL" }), h("a", { href: r.url, target: "_blank", rel: "noopener noreferrer", text: r.url })));
    const views = [["gold", `Gold spans (${r.g.length})`]];
    if (r.sl) views.push(["soft", "Soft labels"]);
    for (const [i, a] of r.an.entries()) views.push([`a${i}`, `${a[0]} (${a[2].length})`]);
    if (r.pr) views.push(["compare", "Gold vs predicted"]);
    const chosen = view && views.some((v) => v[0] === view) ? view : r.pr ? "compare" : "gold";
    const body = h("div", { id: "view" });
    const seg = h("div", { cls: "seg", role: "group", "aria-label": "View" });
    for (const [key, label] of views) {
      seg.append(h("button", { type: "button", "data-view": key, "aria-pressed": String(key === chosen), text: label, onclick: () => {
        for (const b of seg.children) b.setAttribute("aria-pressed", String(b.dataset.view === key));
        showView(r, key, body);
      } }));
    }
    box.replaceChildren(...[h("h2", { text: r.t || r.id }), r.t ? h("div", { cls: "ids", text: r.id }) : null, factBox,
      h("div", { cls: "views" }, seg), body].filter(Boolean));
    showView(r, chosen, body);
    if (box.getBoundingClientRect().top < 0) window.scrollTo(0, 0);
    if (r.st) {
      const det = h("details", { cls: "source" }, h("summary", { text: `Source text (${r.sl_lang || "source"})` }));
      det.addEventListener("toggle", () => { if (det.open && det.childElementCount === 1) det.append(h("div", { cls: "text", text: r.st })); });
      box.append(det);
    }
  }

  function showView(r, key, body) {
    if (key === "gold") body.replaceChildren(...goldView(r));
    else if (key === "soft") body.replaceChildren(...softView(r));
    else if (key === "compare") body.replaceChildren(...compareView(r));
    else body.replaceChildren(...annotatorView(r, Number(key.slice(1))));
  }

  function sevLegend(extra) {
    return legend([...SEVS.filter((x) => x !== "neutral").map((x) => [x, SEV_COLOUR[x]]), ...(extra || [])]);
  }

  function goldView(r) {
    const spans = r.g.map((g, i) => ({ s: g[0], e: g[1], cls: `gold ${SEVS[g[3]]}`, rank: RANK[SEVS[g[3]]], key: `g${i}`,
      tip: [`${CATS[g[2]]} · ${SEVS[g[3]]}`, ...votersOf(r, g).map(([who, x]) => describe(x, who))].join("\n\n") }));
    for (const a of r.an) for (const x of a[2]) if (x[0] === x[1]) spans.push({ s: x[0], e: x[1], cls: SEVS[x[3]], tip: describe(x, a[0]) });
    const hasIns = spans.length > r.g.length;
    const out = [sevLegend(), paint(r.x, spans)];
    out[0].append(h("span", { text: "Hover a highlight for its category, annotators and notes." }));
    if (hasIns) out[0].append(h("span", null, insertion({ cls: "major" }), " marks an omission (insertion point)."));
    out[1].id = "text-gold";
    if (r.g.length) {
      out.push(spanTable(["", "Text", "Category", "Severity", "Annotators and notes"], r.g.map((g, i) => [
        `g${i}`, String(i + 1), r.x.slice(g[0], g[1]), CATS[g[2]], SEVS[g[3]],
        votersOf(r, g).map(([who, x]) => `${who}: ${CATS[x[2]]}, ${SEVS[x[3]]}${x[4] ? ` — ${x[4]}` : ""}`).join("\n")])));
    } else out.push(h("p", { cls: "legend", text: r.an.length ? "No gold spans: no character was marked by more than half of the annotators." : "No annotations." }));
    return out;
  }

  function annotatorView(r, i) {
    const a = r.an[i];
    const spans = a[2].map((x, k) => ({ s: x[0], e: x[1], cls: SEVS[x[3]], rank: RANK[SEVS[x[3]]], key: `a${k}`, tip: describe(x, a[0]) }));
    const out = [legend([...SEVS.map((x) => [x, SEV_COLOUR[x]])]), paint(r.x, spans)];
    out[1].id = "text-annotator";
    out.push(a[2].length ? spanTable(["", "Text", "Category", "Severity", "Note"], a[2].map((x, k) => [
      `a${k}`, String(k + 1), x[0] === x[1] ? "‸ (insertion point)" : r.x.slice(x[0], x[1]), CATS[x[2]] + (x[5] ? `\n(${x[5]})` : ""), SEVS[x[3]], x[4] || ""]))
      : h("p", { cls: "legend", text: `${a[0]} found no errors in this article.` }));
    return out;
  }

  function softView(r) {
    const n = r.an.length;
    const spans = r.sl.map((x) => ({ s: x[0], e: x[1], cls: "heat", rank: x[2], style: `background: rgba(214, 69, 69, ${(0.08 + 0.67 * x[2]).toFixed(3)})`,
      tip: `${Math.round(x[2] * n)} of ${n} annotators mark this (p = ${fix(x[2])})` }));
    const scale = h("div", { cls: "legend" }, h("span", { text: `1 of ${n} annotators` }), h("span", { cls: "heat-scale" }), h("span", { text: `all ${n}` }),
      h("span", { text: "Characters above one half become gold spans." }));
    const text = paint(r.x, spans);
    text.id = "text-soft";
    return [scale, text];
  }

  function compareView(r) {
    const gold = merged(r.g), pred = merged(r.pr.filter((p) => p[5]));
    const cuts = [...new Set([0, r.x.length, ...gold.flat(), ...pred.flat()])].sort((a, b) => a - b);
    const left = [], right = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const a = cuts[k], b = cuts[k + 1];
      const g = gold.some(([x, y]) => x <= a && y >= b), p = pred.some(([x, y]) => x <= a && y >= b);
      if (g) left.push({ s: a, e: b, cls: p ? "hit" : "miss", tip: (p ? "hit: gold and predicted\n" : "missed: gold, not predicted\n") + goldTip(r, a, b) });
      if (p) right.push({ s: a, e: b, cls: g ? "hit" : "fa", tip: (g ? "hit: predicted and gold\n" : "false alarm: predicted, not gold\n") + predTip(r, a, b) });
    }
    const sc = r.sc || {};
    const scores = h("div", { cls: "scores" }, ...[["Precision", fix(sc.p)], ["Recall", fix(sc.r)], ["F1", fix(sc.f1)], ["IoU", fix(sc.iou)],
      ["Hit chars", num(sc.tp)], ["Missed chars", num(sc.fn)], ["False alarm chars", num(sc.fp)]].map(([k, v]) =>
      h("div", { cls: "card" }, h("div", { cls: "k", text: k }), h("div", { cls: "v", text: v }))));
    const lg = legend([["hit", "#2f9e5b"], ["missed (gold only)", "#d64545"], ["false alarm (predicted only)", "#dd6b20"]]);
    for (const p of r.pr) if (!p[5]) right.push({ s: p[0], e: p[1], cls: "weak", rank: -1, tip: `not counted (p ≤ 0.5 or neutral)\n${predTip(r, p[0], p[1])}` });
    const gl = paint(r.x, left), pr = paint(r.x, right);
    gl.id = "text-gold-side";
    pr.id = "text-pred-side";
    const pair = h("div", { cls: "pair" }, h("div", null, h("h3", { text: `Gold (${plural(r.g.length, "span")})` }), gl),
      h("div", null, h("h3", { text: `Predicted (${plural(r.pr.length, "span")})` }), pr));
    const weak = r.pr.filter((p) => !p[5]).length;
    if (weak) lg.append(h("span", null, h("i", { cls: "weak-key" }), `${plural(weak, "predicted span")} with p ≤ 0.5 or neutral: shown, not scored`));
    return [scores, lg, pair];
  }
  function merged(spans) {
    const out = [];
    for (const [a, b] of spans.map((x) => [x[0], x[1]]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0] || x[1] - y[1])) {
      if (out.length && a <= out[out.length - 1][1]) out[out.length - 1][1] = Math.max(out[out.length - 1][1], b);
      else out.push([a, b]);
    }
    return out;
  }
  function goldTip(r, a, b) {
    return r.g.filter((g) => g[0] < b && g[1] > a).map((g) => `gold: ${CATS[g[2]]} · ${SEVS[g[3]]}`).join("\n");
  }
  function predTip(r, a, b) {
    return r.pr.filter((p) => p[0] < b && p[1] > a).map((p) => `predicted: ${catName(p[2])} · ${sevName(p[3])}${p[4] !== null && p[4] !== undefined ? ` · p ${fix(p[4])}` : ""}`).join("\n");
  }

  function spanTable(head, rows) {
    const body = h("tbody");
    for (const [key, ...cells] of rows) {
      const tr = h("tr", { onclick: () => flash(key) });
      tr.append(h("td", { cls: "who", text: cells[0] }), h("td", { cls: "quote", text: cells[1] }), h("td", { cls: "cat", text: cells[2] }),
        h("td", null, h("span", { cls: `sev ${cells[3]}`, text: cells[3] })), h("td", { cls: "note", text: cells[4] }));
      tr.lastChild.style.whiteSpace = "pre-line";
      body.append(tr);
    }
    return h("div", { cls: "spans-table" }, h("table", null, h("thead", null, h("tr", null, ...head.map((x) => h("th", { text: x })))), body));
  }
  function flash(key) {
    const m = [...document.querySelectorAll("#view mark")].find((x) => x.dataset.key === key);
    if (!m) return;
    m.scrollIntoView({ block: "center", behavior: "smooth" });
    m.classList.add("flash");
    setTimeout(() => m.classList.remove("flash"), 1400);
  }

  // ------------------------------------------------------------------ model tab
  function modelTab() {
    if (!MODEL) return;
    const tab = document.querySelector('.tabs [data-tab="model"]');
    tab.hidden = false;
    const systems = [MODEL, ...(D.others || [])];
    tab.textContent = systems.length > 1 ? `Models (${systems.length})` : `Model: ${MODEL.name}`;
    const panel = $("#model");
    const table = (head, rows, onclick) => {
      const body = h("tbody");
      for (const [i, row] of rows.entries()) body.append(h("tr", onclick ? { cls: "click", onclick: () => onclick(i) } : null, ...row.map((v) => h("td", { text: v }))));
      return h("div", { cls: "table-wrap" }, h("table", { cls: "grid" }, h("thead", null, h("tr", null, ...head.map((x) => h("th", { text: x })))), body));
    };
    if (D.leaderboard) {
      const names = Object.keys(L);
      panel.append(h("h2", { text: "Leaderboard" }), table(["System", ...names.map((n) => L[n])],
        D.leaderboard.map((x) => [x.name, ...names.map((n) => fix(x.metrics[n], 3))])));
    }
    const detail = h("div", { id: "model-detail" });
    if (systems.length > 1) {
      const choose = h("select", { id: "model-choice", "aria-label": "Model shown below" });
      systems.forEach((x, i) => choose.append(h("option", { value: String(i), text: x.name })));
      choose.onchange = () => show(systems[Number(choose.value)], choose.value === "0");
      panel.append(h("p", null, h("label", { text: "Details of " }), choose));
    }
    panel.append(detail);
    const show = (M0, primary) => {
      detail.replaceChildren();
      const M = M0.metrics, C = M0.counts;
      const card = ([k, v, sub]) => h("div", { cls: "card" }, h("div", { cls: "k", text: k }), h("div", { cls: "v", text: v }), sub ? h("div", { cls: "s", text: sub }) : null);
      detail.append(h("h2", { text: `${M0.name} on ${plural(M0.records, "record")}` }));
      if (M0.missing) detail.append(h("p", { cls: "notice", text: `${plural(M0.missing, "record")} had no prediction line and count as predicting no error.` }));
      if (M0.ignored) detail.append(h("p", { cls: "notice", text: `${plural(M0.ignored, "prediction")} for records outside the chosen subset ignored.` }));
      detail.append(h("div", { cls: "model-grid" }, ...[
        [L.char_f1, fix(M.char_f1, 3), `P ${fix(M.char_p, 3)} · R ${fix(M.char_r, 3)}`],
        [L.char_f1_sev, fix(M.char_f1_sev, 3), "WMT QE 2023 style"],
        [L.shroom_iou, fix(M.shroom_iou, 3), "mean per record"],
        [L.shroom_cor, fix(M.shroom_cor, 3), "Spearman, mean per record"],
        [L.record_iou, fix(M.record_iou, 3), `${num(C.empty_both)} empty-vs-empty left out`],
        [L.auroc_within, fix(M.auroc_within, 3), "mean of per-source values"],
        [L.kendall_within, fix(M.kendall_within, 3), `${L.pearson_within} ${fix(M.pearson_within, 3)}`],
        [L.auroc, fix(M.auroc, 3), "has_error from score, pooled"],
        [L.balanced_accuracy, fix(M.balanced_accuracy, 3), "has_error"],
        [L.kendall, fix(M.kendall, 3), `${L.pearson} ${fix(M.pearson, 3)} with MQM, pooled`],
      ].map(card)));
      detail.append(h("div", { cls: "model-grid", style: "margin-top:12px" }, ...[
        ["Hit chars", num(C.matched_chars)], ["Missed chars", num(C.gold_chars - C.matched_chars)],
        ["False alarm chars", num(C.predicted_chars - C.matched_chars)],
        ["Records with error", num(C.gold_with_error), `${num(C.predicted_with_error)} predicted`],
      ].map(card)));
      detail.append(h("p", { cls: "legend", text: "Computed by the benchmark's scorer (the numbers of `newserrata score`); definitions in docs/scoring.md." }));
      const shown = ["char_p", "char_r", "char_f1", "char_f1_sev", "shroom_iou", "record_iou"];
      detail.append(h("h2", { text: "Per source" }), table(["Source", "Records", ...shown.map((n) => L[n])],
        M0.sources.map((x) => [x.name, num(x.records), ...shown.map((n) => fix(x[n], 3))])));
      const doc = ["auroc", "balanced_accuracy", "kendall", "pearson"];
      detail.append(h("h2", { text: "Per source, document level" }), table(["Source", "With error", "Without", ...doc.map((n) => L[n])],
        M0.sources.map((x) => [x.name, num(x.with_error), num(x.without_error), ...doc.map((n) => fix(x[n], 3))])));
      detail.append(h("h2", { text: "Per gold category" }), table(["Category", "Gold chars", "Found", "Recall", "Predicted chars", "Precision"],
        M0.categories.map((x) => [x.name, num(x.gold_chars), num(x.found_chars), fix(x.recall, 3), num(x.predicted_chars), fix(x.precision, 3)])));
      if (!primary) {
        detail.append(h("p", { cls: "legend", text: `The articles embed the predictions of ${MODEL.name}; score ${M0.name} alone to browse its spans.` }));
        return;
      }
      const worst = RECORDS.filter((r) => r.sc).sort(byKey.worst).slice(0, 25);
      detail.append(h("h2", { text: "Worst records first (click to compare)" }), table(["Record", "Source", "Gold spans", "Predicted", "Precision", "Recall", "F1", "IoU"],
        worst.map((r) => [r.t || r.id, D.sources[r.src], num(r.g.length), num(r.pr.length), fix(r.sc.p), fix(r.sc.r), fix(r.sc.f1), fix(r.sc.iou)]),
        (i) => { showTab("articles"); openRecord(worst[i], "compare"); }));
    };
    show(MODEL, true);
  }

  // ------------------------------------------------------------------ start
  overview();
  setUpFilters();
  modelTab();
  if (MODEL) $("#sort").value = "worst";
  applyFilters();
  const wanted = location.hash.startsWith("#a=") ? decodeURIComponent(location.hash.slice(3)) : null;
  const target = wanted ? RECORDS.find((r) => r.id === wanted) : null;
  if (target) { showTab("articles"); openRecord(target); }
  else if (state.filtered.length) openRecord(state.filtered[0], null, true);
  window.__report = { open: (id, view) => { const r = RECORDS.find((x) => x.id === id); if (r) { showTab("articles"); openRecord(r, view); } return !!r; }, showTab };
  window.__reportReady = performance.now();
  document.documentElement.dataset.ready = "1";
})();
