// stemma web UI: progressive enhancement only. Every page works without this script (forms
// post to the API and show the report in the result frame); the script adds a busy state,
// the upload progress bar and two-step delete. It never inserts document text as markup:
// only textContent, or nodes parsed from the server's own escaped pages.
(function () {
  "use strict";

  function say(el, text) {
    if (el) el.textContent = text;
  }

  // Result forms: say "Working…" until the frame has loaded the report.
  var frame = document.getElementById("result");
  document.querySelectorAll("form.run").forEach(function (form) {
    var status = form.querySelector(".status");
    form.addEventListener("submit", function (ev) {
      // Each document needs a text or a file: say so here rather than with an error page.
      var missing = [].filter.call(form.querySelectorAll("fieldset.doc"), function (fs) {
        var text = fs.querySelector("textarea");
        var file = fs.querySelector("input[type=file]");
        return !(text && text.value.trim()) && !(file && file.files.length);
      });
      if (missing.length) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
        say(status, "Give a text or a file for: " + missing.map(function (fs) {
          return fs.querySelector("legend").textContent;
        }).join(", ") + ".");
        missing[0].querySelector("textarea").focus();
        return;
      }
      var by = ev.submitter;
      if (by && by.getAttribute("formtarget") === "_self") return; // a download
      say(status, "Working…");
      if (frame) {
        frame.setAttribute("aria-busy", "true");
        frame.classList.add("ran");
      }
    });
    if (frame) {
      frame.addEventListener("load", function () {
        if (!frame.classList.contains("ran")) return;
        frame.removeAttribute("aria-busy");
        say(status, "Done: the result is below.");
      });
    }
  });

  // Trace: list the sources found (from the same request as JSON), each with a button that
  // opens the traced text beside that source: a compare report with its word differences.
  var traceForm = document.querySelector("form.run[action^='/api/trace']");
  var sources = document.getElementById("sources");
  if (traceForm && sources) {
    traceForm.addEventListener("submit", function (ev) {
      if (ev.defaultPrevented) return;
      var by = ev.submitter;
      if (by && by.getAttribute("formtarget") === "_self") return;
      var list = sources.querySelector(".source-list");
      var data = new FormData(traceForm);
      fetch("/api/trace", { method: "POST", body: data })
        .then(function (r) { return r.json(); })
        .then(function (t) {
          list.replaceChildren();
          // Closest first, as the report ranks them: the five closest, and every source given
          // words wherever it ranks.
          var ranked = t.by_closeness && t.by_closeness.length ? t.by_closeness : t.sources || [];
          ranked = ranked.filter(function (s, i) { return i < 5 || s.share > 0; });
          if (!ranked.length) { sources.hidden = true; return; }
          ranked.forEach(function (s) {
            var li = document.createElement("li");
            var b = document.createElement("button");
            b.type = "button";
            b.className = "compare-source";
            b.textContent = "Side by side with " + s.id;
            b.addEventListener("click", function () { openSource(s.id); });
            var meta = document.createElement("span");
            meta.className = "meta";
            meta.textContent = " " + (s.date || "undated") +
              (typeof s.closeness === "number" ? " · closeness " + s.closeness.toFixed(2) : "") +
              (s.share > 0 ? " · explains " + (s.share * 100).toFixed(1) + "%" : " · a runner-up: its passages went to another source");
            li.append(b, meta);
            list.append(li);
          });
          sources.hidden = false;
        })
        .catch(function () { sources.hidden = true; });
    });
  }

  function openSource(id) {
    var form = document.getElementById("detail-form");
    var detail = document.getElementById("detail");
    form.elements.a_id.value = id;
    form.elements.b.value = document.getElementById("doc").value;
    form.elements.b_title.value = document.getElementById("doc_title").value || "your text";
    form.elements.b_file.files = document.getElementById("doc_file").files;
    detail.hidden = false;
    form.submit();
    detail.scrollIntoView({ block: "start" });
  }

  // Upload many files with a progress bar; then refresh the documents table in place.
  var upload = document.getElementById("upload");
  if (upload) {
    upload.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var bar = document.getElementById("upload-progress");
      var status = document.getElementById("upload-status");
      var button = upload.querySelector("button[type=submit]");
      var xhr = new XMLHttpRequest();
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      say(status, "Uploading…");
      xhr.open("POST", "/api/documents");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded * 100) / e.total);
          bar.textContent = bar.value + "%";
          if (e.loaded === e.total) say(status, "Indexing…");
        }
      });
      xhr.addEventListener("load", function () {
        button.disabled = false;
        var r = null;
        try { r = JSON.parse(xhr.responseText); } catch (e) { r = null; }
        if (!r) { say(status, "Upload failed (HTTP " + xhr.status + ")."); return; }
        if (r.error) { say(status, "Upload failed: " + r.error); return; }
        var msg = "Added " + r.added + ", replaced " + r.replaced + ", unchanged " + r.unchanged + ".";
        if (r.failed && r.failed.length) {
          msg += " Not added: " + r.failed.map(function (f) { return f.input + " (" + f.error + ")"; }).join("; ");
        }
        bar.value = 100;
        say(status, msg);
        upload.reset();
        refreshDocuments();
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        say(status, "Upload failed: the server could not be reached.");
      });
      xhr.send(new FormData(upload));
    });
  }

  function refreshDocuments() {
    fetch("/corpus", { headers: { Accept: "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("documents");
        var old = document.getElementById("documents");
        if (fresh && old) old.replaceWith(document.importNode(fresh, true));
      });
  }

  // Delete: a first press arms the button, a second one deletes (no modal dialog, and it
  // works the same from the keyboard).
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button.delete") : null;
    if (!b) return;
    var id = b.getAttribute("data-id");
    var status = document.getElementById("upload-status") || document.querySelector(".status");
    if (b.getAttribute("data-armed") !== "1") {
      b.setAttribute("data-armed", "1");
      b.textContent = "Confirm delete";
      b.classList.add("armed");
      return;
    }
    b.disabled = true;
    fetch("/api/documents/" + encodeURIComponent(id), { method: "DELETE" })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        if (!res.ok) { b.disabled = false; say(status, "Could not delete " + id + ": " + res.body.error); return; }
        var then = b.getAttribute("data-then");
        if (then) { window.location.assign(then); return; }
        var row = b.closest("tr");
        if (row) row.remove();
        say(status, "Deleted " + id + ".");
      })
      .catch(function () { b.disabled = false; say(status, "Could not delete " + id + "."); });
  });
})();
