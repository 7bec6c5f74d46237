/// The script of the interactive flame graph page. It reads the JSON data block the Swift side wrote
/// (frame table, pre-order tree, and per-trace samples), lays boxes out with the same maths as
/// `FlameLayout`, and handles zoom, search, trace filtering, orientation and the side list.
/// `window.flamelab` exposes a few hooks so browser tests can drive and inspect the page.
enum HTMLPageScript {
    static let source = #"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("flame-data").textContent);
  var ROW = 18, FONT = 12, GLYPH = 0.59, MINPX = 0.1;
  var $ = function (id) { return document.getElementById(id); };
  var svg = $("flame"), graph = $("graph"), tip = $("tip");
  var S = { nodes: null, zoom: 0, orient: D.orientation, term: "", exact: false, filter: D.filter, rects: [], layoutWidth: 0 };

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function pct(part, total) { return total > 0 ? (part * 100 / total).toFixed(2) + "%" : "0.00%"; }
  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function fmtValue(v) {
    if (D.unit === "nanoseconds") return (v / 1e6).toFixed(2) + " ms";
    if (D.unit === "bytes") return fmtBytes(v);
    if (D.unit === "allocations") return grouped(v) + (v === 1 ? " allocation" : " allocations");
    if (D.unit === "faults") return grouped(v) + (v === 1 ? " page fault" : " page faults");
    return grouped(v) + (v === 1 ? " sample" : " samples");
  }
  // As NumberFormat.bytes: binary units with two decimals.
  function fmtBytes(v) {
    var units = ["KiB", "MiB", "GiB", "TiB"], scaled = v / 1024, unit = 0;
    if (Math.abs(v) < 1024) return v + " B";
    while (Math.abs(scaled) >= 1024 && unit < units.length - 1) { scaled /= 1024; unit++; }
    return scaled.toFixed(2) + " " + units[unit];
  }

  // Pre-order [frame, self, total, childCount] quadruples, as the Swift FlameTree numbers them.
  function decodeTree(flat) {
    var nodes = [], open = [];
    for (var i = 0; i < flat.length; i += 4) {
      var n = { id: nodes.length, f: flat[i], self: flat[i + 1], total: flat[i + 2], kids: [], parent: -1, depth: 0, left: flat[i + 3] };
      while (open.length && open[open.length - 1].left === 0) open.pop();
      if (open.length) {
        var p = open[open.length - 1];
        n.parent = p.id; n.depth = p.depth + 1; p.kids.push(n.id); p.left--;
      }
      nodes.push(n); open.push(n);
    }
    return nodes;
  }

  // Re-aggregates the per-sample data for the traces that pass `keep`. Frame numbers are in sibling
  // order, so sorting children by frame number gives FlameTree's alphabetical order.
  function buildTree(keep) {
    var nodes = [{ id: 0, f: -1, self: 0, total: 0, kids: [], map: {}, parent: -1, depth: 0 }];
    var smp = D.samples || [], stacks = D.stacks || [];
    for (var i = 0; i < smp.length; i += 3) {
      if (!keep(smp[i + 1])) continue;
      var v = smp[i + 2], st = stacks[smp[i]], cur = nodes[0];
      cur.total += v;
      for (var j = 0; j < st.length; j++) {
        var id = cur.map[st[j]];
        if (id === undefined) {
          id = nodes.length;
          nodes.push({ id: id, f: st[j], self: 0, total: 0, kids: [], map: {}, parent: cur.id, depth: cur.depth + 1 });
          cur.map[st[j]] = id; cur.kids.push(id);
        }
        cur = nodes[id]; cur.total += v;
      }
      cur.self += v;
    }
    nodes.forEach(function (n) { n.kids.sort(function (a, b) { return nodes[a].f - nodes[b].f; }); delete n.map; });
    return nodes;
  }

  function traceMatcher(text) {
    var wanted = text.toLowerCase().split(/[\s,]+/).filter(function (s) { return s.length > 0; });
    if (!wanted.length) return null;
    var ok = (D.traces || []).map(function (t) {
      return wanted.some(function (w) { return t.indexOf(w) === 0; });
    });
    return function (ti) { return ti >= 0 && ok[ti]; };
  }

  // Same maths as FlameLayout: width = total / focus total, children from the parent's left edge.
  function layout(nodes, focus, px) {
    var rects = [], elided = 0, deepest = 0, z = nodes[focus];
    if (!nodes[0].total || !z.total) return { rects: rects, elided: 0, maxDepth: 0 };
    for (var a = z.parent; a >= 0; a = nodes[a].parent) {
      rects.push({ n: a, x: 0, w: 1, depth: nodes[a].depth, above: true });
    }
    var work = [[focus, 0]];
    while (work.length) {
      var it = work.pop(), n = nodes[it[0]], w = n.total / z.total;
      if (w * px < MINPX || n.total <= 0) { elided += size(nodes, n.id); continue; }
      rects.push({ n: n.id, x: it[1], w: w, depth: n.depth });
      if (n.depth > deepest) deepest = n.depth;
      var cx = it[1], placed = [];
      for (var k = 0; k < n.kids.length; k++) {
        placed.push([n.kids[k], cx]);
        cx += nodes[n.kids[k]].total / z.total;
      }
      for (var q = placed.length - 1; q >= 0; q--) work.push(placed[q]);
    }
    return { rects: rects, elided: elided, maxDepth: deepest };
  }
  function size(nodes, id) {
    var c = 0, w = [id];
    while (w.length) { var i = w.pop(); c++; Array.prototype.push.apply(w, nodes[i].kids); }
    return c;
  }

  function frameName(f) { return f < 0 ? "all" : D.names[f]; }
  function frameLabel(f) { return f < 0 ? "all" : D.labels[f]; }
  function matcher() {
    if (!S.term) return null;
    if (S.exact) return function (name) { return name === S.term; };
    var m = /^\/(.+)\/$/.exec(S.term);
    if (m) {
      try { var re = new RegExp(m[1], "i"); return function (name) { return re.test(name); }; } catch (e) { return function () { return false; }; }
    }
    var t = S.term.toLowerCase();
    return function (name) { return name.toLowerCase().indexOf(t) >= 0; };
  }
  function matchedFrames() {
    var m = matcher();
    if (!m) return null;
    return D.names.map(function (n) { return m(n); });
  }

  function fill(n, hit) {
    if (hit) return D.highlight;
    if (D.mode === "diff") return D.diffColors[D.nodeColors[n.id]];
    return n.f < 0 ? D.rootColor : D.colors[D.frameColors[n.f]];
  }

  function label(name, px) {
    var cap = Math.floor((px - 6) / (FONT * GLYPH));
    if (cap < 3) return "";
    return name.length > cap ? name.slice(0, cap - 2) + ".." : name;
  }

  function render() {
    var nodes = S.nodes, px = Math.max(200, graph.clientWidth - 2);
    var L = layout(nodes, S.zoom, px), hits = matchedFrames(), rowsH = (L.maxDepth + 1) * ROW;
    S.rects = L.rects; S.layoutWidth = px;
    svg.setAttribute("width", px); svg.setAttribute("height", rowsH); svg.setAttribute("viewBox", "0 0 " + px + " " + rowsH);
    var out = [];
    for (var i = 0; i < L.rects.length; i++) {
      var r = L.rects[i], n = nodes[r.n], x = r.x * px, w = r.w * px;
      var y = S.orient === "icicle" ? r.depth * ROW : (L.maxDepth - r.depth) * ROW;
      var hit = hits !== null && n.f >= 0 && hits[n.f];
      var isNew = D.mode === "diff" && D.isNew[n.id] === 1;
      var light = D.mode === "diff" && !hit && D.lightText[n.id] === 1;
      var cls = "fr" + (r.above ? " above" : "") + (hit ? " hit" : "") + (isNew ? " new" : "") + (light ? " light" : "");
      var text = label(frameLabel(n.f), w), box = 'x="' + x.toFixed(2) + '" y="' + y + '" width="' + w.toFixed(2) + '" height="' + (ROW - 1) + '" rx="2"';
      out.push('<g class="' + cls + '" data-n="' + n.id + '"><rect ' + box + ' fill="' + fill(n, hit) + '"></rect>' +
        (isNew ? '<rect class="hatch" ' + box + ' fill="url(#hatch)"></rect>' : "") +
        (text ? '<text x="' + (x + 3).toFixed(2) + '" y="' + (y + ROW - 5) + '">' + esc(text) + "</text>" : "") + "</g>");
    }
    var defs = D.mode === "diff" ? '<defs><pattern id="hatch" width="7" height="7" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="1.6" height="7" fill="rgba(0,0,0,0.28)"></rect></pattern></defs>' : "";
    svg.innerHTML = defs + out.join("");
    updateStatus(hits, L);
  }

  function updateStatus(hits, L) {
    var nodes = S.nodes, total = nodes[0].total, note = [];
    if (hits) {
      var matched = 0, w = [0];
      while (w.length) {
        var n = nodes[w.pop()];
        if (n.f >= 0 && hits[n.f]) { matched += n.total; continue; }
        Array.prototype.push.apply(w, n.kids);
      }
      $("match").textContent = "Matched: " + pct(matched, total) + " of " + D.measure;
      S.matched = total > 0 ? matched / total : 0;
    } else {
      $("match").textContent = ""; S.matched = null;
    }
    note.push("x-axis: alphabetical, not time; width = share of " + D.measure);
    if (S.zoom) note.push("zoomed into " + frameName(nodes[S.zoom].f) + " (click the root or Reset zoom)");
    if (L.elided) note.push(grouped(L.elided) + " frames narrower than " + MINPX + " px not drawn");
    $("note").textContent = note.join(" · ");
  }

  function topSelf() {
    var list = $("top");
    if (!list) return;
    var nodes = S.nodes, bySelf = {}, total = nodes[0].total;
    // Off-CPU leaves are almost always the kernel's scheduler: credit the wait to the first frame
    // above the kernel (the blocking call), which is what a reader is looking for.
    var kernel = D.groupLabels.indexOf("kernel");
    nodes.forEach(function (n) {
      if (n.f < 0 || n.self <= 0) return;
      var at = n;
      if (D.kind === "offcpu") {
        while (at.parent > 0 && D.groups[at.f] === kernel) at = nodes[at.parent];
      }
      bySelf[at.f] = (bySelf[at.f] || 0) + n.self;
    });
    var rows = Object.keys(bySelf).map(function (f) { return [Number(f), bySelf[f]]; });
    rows.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    var html = rows.slice(0, 30).map(function (r) {
      var share = total > 0 ? r[1] * 100 / total : 0;
      return '<li data-f="' + r[0] + '" title="' + esc(D.names[r[0]]) + '"><span class="bar" style="width:' + share.toFixed(1) + '%;background:' +
        D.colors[D.frameColors[r[0]]] + '"></span><span class="pc">' + share.toFixed(2) + '%</span><span class="fn">' + esc(D.labels[r[0]]) + "</span></li>";
    });
    list.innerHTML = html.length ? html.join("") : '<li class="empty">no samples</li>';
  }

  function setTree(nodes) {
    S.nodes = nodes; S.zoom = 0;
    var total = nodes[0].total, msg = $("message");
    if (S.filter && !total) {
      msg.textContent = "No samples carry trace id " + S.filter + " (" + (D.traces || []).length + " trace ids in this profile). Showing an empty flame graph.";
      msg.className = "message warn";
    } else if (S.filter) {
      msg.textContent = "Filtered to trace id " + S.filter + ": " + fmtValue(total) + " (" + pct(total, D.allTotal) + " of the profile).";
      msg.className = "message";
    } else { msg.textContent = ""; msg.className = "message hidden"; }
    topSelf(); render();
  }

  function applyFilter(text) {
    S.filter = text.trim();
    if (S.filter === D.filter) { setTree(decodeTree(D.tree)); return; }
    var m = traceMatcher(S.filter);
    setTree(buildTree(m || function () { return true; }));
  }

  function setSearch(term, exact) {
    S.term = term; S.exact = !!exact;
    document.querySelectorAll("#top li, #side tr[data-fn]").forEach(function (el) {
      var name = el.hasAttribute("data-fn") ? el.getAttribute("data-fn") : D.names[Number(el.getAttribute("data-f"))];
      el.classList.toggle("selected", !!(exact && name === term));
    });
    render();
  }

  function nodeAt(target) {
    var g = target && target.closest ? target.closest("g[data-n]") : null;
    return g ? S.nodes[Number(g.getAttribute("data-n"))] : null;
  }

  function tooltip(n) {
    var total = S.nodes[0].total, lines = ["<b>" + esc(frameName(n.f)) + "</b>"];
    if (n.f >= 0 && D.modules[n.f]) lines.push('<span class="mod">' + esc(D.modules[n.f]) + " · " + esc(D.groupLabels[D.groups[n.f]]) + "</span>");
    if (D.mode === "diff") {
      lines.push(D.diffTips[n.id]);
    } else {
      if (n.f >= 0) lines.push("self: " + fmtValue(n.self) + " (" + pct(n.self, total) + ")");
      lines.push("total: " + fmtValue(n.total) + " (" + pct(n.total, total) + ")");
    }
    return lines.join("<br>");
  }

  svg.addEventListener("mousemove", function (e) {
    var n = nodeAt(e.target);
    if (!n) { tip.style.display = "none"; return; }
    tip.innerHTML = tooltip(n); tip.style.display = "block";
    var x = e.clientX + 14, y = e.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth - 8) x = e.clientX - tip.offsetWidth - 10;
    if (y + tip.offsetHeight > window.innerHeight - 8) y = e.clientY - tip.offsetHeight - 10;
    tip.style.left = x + "px"; tip.style.top = y + "px";
  });
  svg.addEventListener("mouseleave", function () { tip.style.display = "none"; });
  svg.addEventListener("click", function (e) {
    var n = nodeAt(e.target);
    if (!n) return;
    S.zoom = n.id === S.zoom ? (n.parent >= 0 ? n.parent : 0) : n.id;
    render();
  });
  $("reset").addEventListener("click", function () { S.zoom = 0; render(); });
  $("orient").addEventListener("click", function () {
    S.orient = S.orient === "flame" ? "icicle" : "flame";
    $("orient").textContent = S.orient === "flame" ? "Icicle view" : "Flame view";
    render();
  });
  $("search").addEventListener("input", function (e) { setSearch(e.target.value.trim(), false); });
  $("side").addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("li[data-f], tr[data-fn]") : null;
    if (!el) return;
    var name = el.hasAttribute("data-fn") ? el.getAttribute("data-fn") : D.names[Number(el.getAttribute("data-f"))];
    var again = S.exact && S.term === name;
    $("search").value = again ? "" : name;
    setSearch(again ? "" : name, !again);
  });
  var traceInput = $("trace");
  if (traceInput) {
    traceInput.addEventListener("change", function () { applyFilter(traceInput.value); });
    traceInput.addEventListener("keydown", function (e) { if (e.key === "Enter") applyFilter(traceInput.value); });
    $("trace-clear").addEventListener("click", function () { traceInput.value = ""; applyFilter(""); });
  }
  var pending = 0;
  window.addEventListener("resize", function () {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () { pending = 0; render(); });
  });

  $("orient").textContent = S.orient === "flame" ? "Icicle view" : "Flame view";
  setTree(decodeTree(D.tree));

  window.flamelab = {
    state: S,
    rectCount: function () { return S.rects.length; },
    search: function (term) { $("search").value = term; setSearch(term, false); return S.matched; },
    zoom: function (id) { S.zoom = id; render(); return S.rects.length; },
    filter: function (text) { if (traceInput) traceInput.value = text; applyFilter(text); return S.nodes[0].total; },
    topSelf: function () { return Array.prototype.map.call(document.querySelectorAll("#top li .fn"), function (el) { return el.textContent; }); },
    // Rebuilds the tree from the per-sample data and compares it with the Swift-built one.
    selfCheck: function () {
      if (!D.samples) return "no per-sample data";
      var a = decodeTree(D.tree), m = traceMatcher(D.filter), b = buildTree(m || function () { return true; });
      if (a.length !== b.length) return "node count " + a.length + " vs " + b.length;
      var wa = [0], wb = [0];
      while (wa.length) {
        var x = a[wa.pop()], y = b[wb.pop()];
        if (x.f !== y.f || x.self !== y.self || x.total !== y.total || x.kids.length !== y.kids.length) return "node " + x.id + " differs";
        for (var k = x.kids.length - 1; k >= 0; k--) { wa.push(x.kids[k]); wb.push(y.kids[k]); }
      }
      return "ok";
    }
  };
})();
"""#
}
