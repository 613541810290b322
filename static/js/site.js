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

  function ready() {
    setUpMenu();
    setUpConfirmations();
    setUpFilterLists();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
