/* The review page of the archivists' workspace: show where a value came from, and follow the
   background index update after a save. Loaded as a file: the CSP forbids inline script. */
(function () {
  "use strict";

  // Highlight every piece of text a source's span covers, and bring the first into view.
  function showSource(index) {
    var marks = document.querySelectorAll('mark[data-spans~="' + index + '"]');
    Array.prototype.forEach.call(document.querySelectorAll("mark.active"), function (mark) {
      mark.classList.remove("active");
    });
    Array.prototype.forEach.call(marks, function (mark) { mark.classList.add("active"); });
    if (marks.length) {
      marks[0].scrollIntoView({ block: "center", behavior: "smooth" });
    }
    return marks.length > 0;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.source-link") : null;
    if (link && showSource(link.getAttribute("data-span"))) {
      event.preventDefault();
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", link.getAttribute("href"));
      }
    }
  });

  // Ask the server how the update runs until it has finished; say so in the status line.
  function followUpdate(status) {
    var url = status.getAttribute("data-url");
    var tries = 0;
    function poll() {
      tries += 1;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          var finished = answer.done === null ? !answer.busy : answer.done;
          status.textContent = answer.message;
          status.classList.toggle("done", finished);
          if (!finished && tries < 600) {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () {
          status.textContent = "Không hỏi được tình trạng cập nhật; hãy tải lại trang sau ít phút.";
        });
    }
    poll();
  }

  var status = document.getElementById("update-status");
  if (status && window.fetch) {
    followUpdate(status);
  }
})();
