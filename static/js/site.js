/* Every page: the folding menu on narrow screens, and a confirmation before irreversible actions.
   Loaded in <head> without defer so that the `js` class is set before the page is drawn (the menu
   starts folded instead of flashing open). No inline script: the CSP `script-src 'self'` holds. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setUpMenu() {
    var header = document.getElementById("site-header");
    var toggle = header && header.querySelector(".nav-toggle");
    if (!toggle) {
      return;
    }
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("menu-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? "收起菜单" : "菜单";
    });
  }

  /* <form data-confirm="…">: the browser asks before it is sent (the server still checks every rule). */
  function setUpConfirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
      }
    }, true);
  }

  /* <input data-filter-list="id">: typing narrows the checkbox list with that id (industries). */
  function setUpFilterLists() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter-list]"), function (input) {
      var list = document.getElementById(input.getAttribute("data-filter-list"));
      if (!list) {
        return;
      }
      input.addEventListener("input", function () {
        var words = input.value.trim().toLowerCase();
        Array.prototype.forEach.call(list.querySelectorAll("[data-filter-text]"), function (item) {
          var match = !words || item.getAttribute("data-filter-text").toLowerCase().indexOf(words) !== -1;
          item.hidden = !match;
        });
      });
    });
  }

  /* A table box that scrolls sideways takes keyboard focus, so that it can be scrolled with the arrow
     keys, and is named after its table (WCAG 2.1.1; axe's scrollable-region-focusable). Boxes that
     fit add no stop to the tab order. */
  function setUpScrollBoxes() {
    function label(box) {
      var caption = box.querySelector("caption");
      if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
      var before = box.previousElementSibling;
      while (before && !/^H[1-6]$/.test(before.tagName)) { before = before.previousElementSibling; }
      var heading = before || box.closest("section") && box.closest("section").querySelector("h1, h2, h3");
      return (heading && heading.textContent.trim()) || "表格";
    }
    function mark() {
      Array.prototype.forEach.call(document.querySelectorAll(".table-wrap, .scroll"), function (box) {
        if (box.scrollWidth > box.clientWidth + 1) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", label(box) + "（可左右滚动）");
        } else if (box.getAttribute("role") === "region") {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      });
    }
    mark();
    window.addEventListener("resize", mark);
  }

  function ready() {
    setUpMenu();
    setUpScrollBoxes();
    setUpConfirmations();
    setUpFilterLists();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
