/* Live notifications (issue 12): the signed-in page follows GET /api/v1/notifications/stream (server-sent events).
   Each new push shows a toast and counts on a badge on the 资讯 tab until that tab is opened; the toast's buttons
   record push_open / push_dismiss through window.tandemEvents (events.js). The browser's EventSource reconnects on
   its own and sends Last-Event-ID, so a push that came while the connection was down arrives after it. */
(function () {
  "use strict";
  var body = document.body, uid = body && Number(body.dataset.uid);
  // 我的: a tag deleted through the API (204, nothing to swap) refreshes the tags panel.
  document.addEventListener("htmx:afterRequest", function (e) {
    var el = e.detail && e.detail.elt;
    if (el && el.closest && el.closest("[data-tags-action]") && e.detail.successful && window.htmx) {
      window.htmx.trigger("#tags-panel", "tags-changed");
    }
  });
  var box = document.getElementById("toasts");
  if (!uid || !box || !window.EventSource) return;
  var KEY = "tandem.unseen." + uid;
  var onNews = body.classList.contains("tab-news");
  var unseen = onNews ? 0 : Number(sessionStorage.getItem(KEY) || 0);

  function badge() {
    sessionStorage.setItem(KEY, String(unseen));
    var tab = document.querySelector('.tabbar a[data-tab="news"]');
    if (!tab) return;
    var b = tab.querySelector(".badge");
    if (!unseen) { if (b) b.remove(); return; }
    if (!b) { b = document.createElement("span"); b.className = "badge"; tab.appendChild(b); }
    b.textContent = unseen > 99 ? "99+" : String(unseen);
    b.setAttribute("aria-label", box.dataset.badge.replace("{n}", String(unseen)));
  }

  function record(type, note) {
    if (window.tandemEvents) window.tandemEvents.send(type, "push:" + note.id, { category: note.category });
  }

  function button(text, cls, onClick) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "btn " + cls; b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function toast(note) {
    var el = document.createElement("div");
    el.className = "toast"; el.setAttribute("role", "status"); el.dataset.noteId = String(note.id);
    var h = document.createElement("strong"); h.textContent = note.title;
    var p = document.createElement("p"); p.textContent = note.body;
    var row = document.createElement("div"); row.className = "toast-actions";
    row.appendChild(button(box.dataset.open, "primary toast-open", function () {
      record("push_open", note);
      unseen = Math.max(0, unseen - 1); badge();
      location.assign("/news?note=" + note.id + "#note-" + note.id);  // a new query: reloads 资讯 even from 资讯
    }));
    row.appendChild(button(box.dataset.dismiss, "ghost toast-dismiss", function () {
      record("push_dismiss", note);
      el.remove();
    }));
    el.appendChild(h); el.appendChild(p); el.appendChild(row);
    box.appendChild(el);
  }

  badge();
  // start after the newest notification the page was rendered with; reconnects send Last-Event-ID instead
  var stream = new EventSource("/api/v1/notifications/stream?after=" + encodeURIComponent(box.dataset.after || "0"));
  stream.addEventListener("notification", function (e) {
    var note;
    try { note = JSON.parse(e.data); } catch (err) { return; }
    if (box.querySelector('[data-note-id="' + note.id + '"]')) return;
    unseen += 1; badge();
    toast(note);
  });
  window.addEventListener("pagehide", function () { stream.close(); });
})();
