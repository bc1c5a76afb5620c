/* Behaviour events (issue 12): a signed-in page reports its view, stock pages their stock, the search box its
   query, to POST /api/v1/events. One session id per browser tab; failures are ignored (events are best effort,
   the page never waits for them). Nothing is sent for anonymous visitors. */
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
  var batch = [ev("page_view", null, { path: location.pathname })];
  var m = location.pathname.match(/^\/market\/(?:stock|diagnosis|l2)\/([0-9]{6}\.[A-Z]{2})/);
  if (m) batch.push(ev("stock_view", m[1]));
  var q = new URLSearchParams(location.search).get("q");
  if (location.pathname === "/market/search" && q) batch.push(ev("search", null, { query: q.slice(0, 100) }));
  send(batch);
  window.tandemEvents = { send: function (type, objectId, props) { send([ev(type, objectId, props)]); } };
})();
