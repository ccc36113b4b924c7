// Name variants page (/quan-tri/ten-goi): follow the background index update while it runs,
// through the page's JSON twin (its "update" part).
(function () {
  "use strict";
  var POLL_MS = 2000;

  function follow(status) {
    fetch(status.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (page) {
        var state = page && page.update;
        if (!state) { return; }
        status.textContent = state.message || "";
        status.hidden = !state.message;
        status.classList.toggle("busy", state.busy);
        status.classList.toggle("failed", !state.ok);
        if (state.busy) {
          window.setTimeout(function () { follow(status); }, POLL_MS);
        } else {
          // The groups below predate the update; a reload shows the new ones (not done for the
          // archivist: it would drop names ticked meanwhile).
          var reload = document.createElement("a");
          reload.href = window.location.pathname + window.location.search;
          reload.textContent = "Tải lại trang để xem các nhóm tên sau khi phân loại lại.";
          status.dataset.busy = "0";
          status.appendChild(document.createTextNode(" "));
          status.appendChild(reload);
        }
      })
      .catch(function () { window.setTimeout(function () { follow(status); }, POLL_MS * 5); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var status = document.querySelector(".variant-update[data-status-url]");
    if (status && status.dataset.busy === "1") {
      window.setTimeout(function () { follow(status); }, POLL_MS);
    }
  });
})();
