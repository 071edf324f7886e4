// Agency uploads: the file goes to the ingest API with upload progress; the result is shown, then the list reloads.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var bar = document.getElementById("upload-progress");
  var pct = document.getElementById("upload-percent");
  var out = document.getElementById("upload-result");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = document.getElementById("upload-file").files[0];
    if (!file) { return; }
    var params = [];
    var store = document.getElementById("upload-store").value;
    if (store) { params.push("store=" + encodeURIComponent(store)); }
    var campaign = document.getElementById("upload-campaign").value;
    if (campaign) { params.push("campaign_id=" + encodeURIComponent(campaign)); }
    var url = form.getAttribute("data-endpoint") + (params.length ? "?" + params.join("&") : "");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", /\.(jsonl|ndjson)$/i.test(file.name) ? "application/x-ndjson" : "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((100 * e.loaded) / e.total);
        pct.textContent = bar.value + "%";
      }
    });
    xhr.addEventListener("load", function () {
      bar.value = 100;
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status < 300) {
        out.className = "ok";
        out.textContent = "入库 accepted: " + body.stored + " / " + body.received + "，问题 findings: " + body.findings +
          "，重复 duplicates: " + body.duplicates + (body.errors && body.errors.length ? "，错误 errors: " + body.errors.length : "");
      } else {
        out.className = "error";
        var d = body.detail;
        out.textContent = "HTTP " + xhr.status + ": " + (typeof d === "string" ? d : (d && d.length ? d.map(function (x) { return (x.where || "") + " " + (x.message || x.msg || ""); }).join("; ") : ""));
      }
      out.setAttribute("data-status", String(xhr.status));
      window.setTimeout(function () { window.location.reload(); }, xhr.status < 300 ? 800 : 4000);
    });
    xhr.addEventListener("error", function () { out.className = "error"; out.textContent = "网络错误 / network error"; });
    xhr.send(file);
  });
})();
