// What needs JavaScript: copying a link or a citation, saved searches (kept in this browser), old point links.
(function () {
  "use strict";
  var KEY = "tim-kiem-da-luu";

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function store(items) { localStorage.setItem(KEY, JSON.stringify(items)); }

  function copy(button) {
    var url = button.getAttribute("data-url");
    var done = function () { button.textContent = "Đã sao chép"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, function () { window.prompt("Sao chép liên kết:", url); });
    } else {
      var field = document.createElement("textarea");
      field.value = url;
      document.body.appendChild(field);
      field.select();
      try { document.execCommand("copy"); done(); } catch (e) { window.prompt("Sao chép liên kết:", url); }
      document.body.removeChild(field);
    }
  }

  // Without a clipboard (plain http, permission refused) the citation is selected for Ctrl+C.
  function selectCitation(button, text) {
    var range = document.createRange();
    range.selectNodeContents(text);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    button.textContent = copied ? "Đã chép" : "Đã chọn, nhấn Ctrl+C để chép";
  }

  function copyCitation(button) {
    var text = button.closest(".citation").querySelector(".citation-text");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.textContent).then(
        function () { button.textContent = "Đã chép"; },
        function () { selectCitation(button, text); });
    } else {
      selectCitation(button, text);
    }
  }

  function save(button) {
    var items = load().filter(function (item) { return item.url !== button.getAttribute("data-url"); });
    var name = window.prompt("Đặt tên cho tìm kiếm này:", button.getAttribute("data-name")) ;
    if (name === null) { return; }
    items.unshift({ name: name || button.getAttribute("data-name"), url: button.getAttribute("data-url") });
    store(items);
    button.textContent = "Đã lưu";
  }

  function renderSaved() {
    var section = document.querySelector(".saved-searches");
    if (!section) { return; }
    var list = section.querySelector(".saved-list");
    var items = load();
    list.textContent = "";
    items.forEach(function (item, index) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove-saved";
      remove.textContent = "Xóa";
      remove.setAttribute("aria-label", "Xóa tìm kiếm đã lưu " + item.name);
      remove.addEventListener("click", function () {
        var rest = load();
        rest.splice(index, 1);
        store(rest);
        renderSaved();
      });
      li.appendChild(link);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
      list.appendChild(li);
    });
    section.hidden = items.length === 0;
  }

  // Links made before points were named "diem-" (…#muc-2-3) open at the same point today.
  function followOldAnchor() {
    var old = /^#muc-(.+)$/.exec(window.location.hash);
    if (old && document.getElementById("diem-" + decodeURIComponent(old[1]))) {
      window.location.replace("#diem-" + old[1]);
    }
  }

  window.addEventListener("hashchange", followOldAnchor);
  document.addEventListener("DOMContentLoaded", function () {
    followOldAnchor();
    document.querySelectorAll(".copy-link").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
    document.querySelectorAll(".copy-citation").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copyCitation(button); });
    });
    document.querySelectorAll(".save-search").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { save(button); });
    });
    document.querySelectorAll("button.print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    renderSaved();
  });
}());
