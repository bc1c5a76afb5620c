/* Behaviour events (issue 12): a signed-in page reports its view, every stock panel it shows (full page or htmx
   swap: any [data-track-stock]), the search box its settled query, and the 个股三分钟 its reading time, to
   POST /api/v1/events. Watchlist changes, backtest runs and plan views/accepts are recorded by the server after
   its own commit (web/server_events.py); push opens/dismissals by notify.js through window.tandemEvents.
   One session id per browser tab; failures are ignored (events are best effort, the page never waits for them).
   Nothing is sent for anonymous visitors. */
(function () {
  "use strict";
  var body = document.body, uid = body && Number(body.dataset.uid);
  if (!uid) return;
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  var session = sessionStorage.getItem("tandem.session") || uuid();
  sessionStorage.setItem("tandem.session", session);
  var csrf = null;
  try { csrf = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"]; } catch (e) { csrf = null; }
  function send(events) {
    var headers = { "Content-Type": "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    fetch("/api/v1/events", { method: "POST", headers: headers, credentials: "same-origin", keepalive: true,
      body: JSON.stringify({ events: events }) }).catch(function () {});
  }
  function ev(type, objectId, props) {
    return { event_id: uuid(), type: type, client_id: uid, object_id: objectId || null,
      client_time: new Date().toISOString(), session_id: session, channel: "web", properties: props || {} };
  }
  send([ev("page_view", null, { path: location.pathname })]);
  window.tandemEvents = { send: function (type, objectId, props) { send([ev(type, objectId, props)]); } };

  // A stock panel counts once per time it is shown (each element once), however it arrived.
  function stockViews(root) {
    var found = [];
    if (root.matches && root.matches("[data-track-stock]")) found.push(root);
    if (root.querySelectorAll) found.push.apply(found, root.querySelectorAll("[data-track-stock]"));
    var batch = [];
    found.forEach(function (el) {
      if (el.dataset.tracked) return;
      el.dataset.tracked = "1";
      batch.push(ev("stock_view", el.dataset.trackStock, { path: location.pathname }));
    });
    if (batch.length) send(batch);
  }

  // Search: the query the user settled on (typed, then paused or picked a hit), not every keystroke.
  var pendingQuery = "", lastQuery = "", searchTimer = null;
  function flushSearch() {
    clearTimeout(searchTimer);
    var q = pendingQuery.trim().slice(0, 100);
    pendingQuery = "";
    if (q && q !== lastQuery) { lastQuery = q; send([ev("search", null, { query: q })]); }
  }
  function searchSettled(root) {
    var hits = root.querySelector ? root.querySelector("[data-search-query]") : null;
    if (!hits && root.matches && root.matches("[data-search-query]")) hits = root;
    if (!hits) return;
    pendingQuery = hits.dataset.searchQuery;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(flushSearch, 1500);
  }
  document.addEventListener("click", function (e) {
    if (!e.target.closest) return;
    if (e.target.closest("#search-results a")) flushSearch();
    var rec = e.target.closest("[data-rec]");  // 为你推荐: which suggestion was opened, and from which order
    if (rec) {
      var li = rec.closest("[data-mode]");
      send([ev("recommendation_click", rec.dataset.rec, { mode: li ? li.dataset.mode : "" })]);
    }
  });

  // 个股三分钟: time the brief was on screen while the tab was visible, sent when it leaves the screen or page.
  var briefs = [];
  function watchBriefs(root) {
    var sel = "[data-track-brief], [data-track-content]";  // a 个股三分钟 brief, or a course lesson (content:<id>)
    var found = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll(sel)) : [];
    if (root.matches && root.matches(sel)) found.push(root);
    found.forEach(function (el) {
      if (el.dataset.tracked) return;
      el.dataset.tracked = "1";
      var lesson = el.dataset.trackContent;
      var b = { el: el, code: lesson ? "content:" + lesson : el.dataset.trackBrief,
                kind: lesson ? "content_read" : "brief_read", shown: 0, since: null };
      briefs.push(b);
      if (!window.IntersectionObserver) { b.since = Date.now(); return; }
      new IntersectionObserver(function (entries) {
        entries.forEach(function (en) {
          if (en.isIntersecting && b.since === null && !document.hidden) b.since = Date.now();
          if (!en.isIntersecting) pause(b);
        });
      }, { threshold: 0.25 }).observe(el);
    });
  }
  function pause(b) { if (b.since !== null) { b.shown += Date.now() - b.since; b.since = null; } }
  function flushBriefs(all) {
    var batch = [];
    briefs = briefs.filter(function (b) {
      var gone = !document.body.contains(b.el);
      if (!all && !gone) return true;
      pause(b);
      if (b.shown >= 2000) batch.push(ev(b.kind, b.code, { dwell_ms: Math.round(b.shown) }));
      b.shown = 0;
      return !gone;
    });
    if (batch.length) send(batch);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { flushBriefs(true); flushSearch(); }
    else briefs.forEach(function (b) { if (b.since === null && b.el.getBoundingClientRect().top < innerHeight) b.since = Date.now(); });
  });
  window.addEventListener("pagehide", function () { flushBriefs(true); flushSearch(); });

  function scan(root) { stockViews(root); searchSettled(root); watchBriefs(root); }
  scan(document);
  document.addEventListener("htmx:load", function (e) { if (e.detail && e.detail.elt) scan(e.detail.elt); });
  document.addEventListener("htmx:beforeSwap", function () { flushBriefs(false); });
  document.addEventListener("htmx:afterSwap", function () { flushBriefs(false); });
  document.addEventListener("htmx:pushedIntoHistory", function () {
    send([ev("page_view", null, { path: location.pathname + location.search })]);
  });
})();
