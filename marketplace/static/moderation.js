/* Keyboard shortcuts and "select all" for the moderation queue.
   Progressive enhancement: every action is a plain form without this script. */
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  var help = document.getElementById("shortcuts");
  var selectAll = document.getElementById("select-all");
  var rows = queue ? Array.prototype.slice.call(queue.querySelectorAll("[data-match-id]")) : [];
  var current = -1;

  function boxes() {
    return rows.map(function (row) { return row.querySelector('[data-action="select"]'); })
      .filter(function (box) { return box; });
  }

  if (selectAll) {
    selectAll.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = selectAll.checked; });
    });
  }
  boxes().forEach(function (box) {
    box.addEventListener("change", function () {
      // Unticking one row means "these rows", no longer "the whole page".
      if (selectAll && !box.checked) { selectAll.checked = false; }
    });
  });

  function mark(index) {
    if (!rows.length) { return; }
    index = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row) { row.classList.remove("current"); });
    current = index;
    var row = rows[current];
    row.classList.add("current");
    row.focus();
    if (row.scrollIntoView) { row.scrollIntoView({block: "nearest"}); }
  }

  function rowOf(element) {
    while (element && element !== document.body) {
      if (element.hasAttribute && element.hasAttribute("data-match-id")) { return rows.indexOf(element); }
      element = element.parentNode;
    }
    return -1;
  }

  document.addEventListener("focusin", function (event) {
    var index = rowOf(event.target);
    if (index >= 0 && index !== current) {
      rows.forEach(function (row) { row.classList.remove("current"); });
      current = index;
      rows[current].classList.add("current");
    }
  });

  function typing(target) {
    if (!target) { return false; }
    var tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function toggleHelp() {
    if (!help) { return; }
    help.open = !help.open;
    if (help.open) { help.querySelector("summary").focus(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var key = event.key;
    if (key === "?") { event.preventDefault(); toggleHelp(); return; }
    if (key === "Escape" && help && help.open) { help.open = false; return; }
    if (!rows.length) { return; }
    var row = current >= 0 ? rows[current] : null;
    if (key === "j") { event.preventDefault(); mark(current + 1); }
    else if (key === "k") { event.preventDefault(); mark(current < 0 ? 0 : current - 1); }
    else if (key === "x" && row) {
      event.preventDefault();
      var box = row.querySelector('[data-action="select"]');
      if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change")); }
    } else if (key === "a" && row) {
      event.preventDefault();
      var approve = row.querySelector('[data-action="approve"]');
      if (approve) { approve.click(); }
    } else if (key === "r" && row) {
      event.preventDefault();
      var reason = row.querySelector('[data-action="reject-reason"]');
      if (reason) { reason.focus(); }
    }
  });
}());
