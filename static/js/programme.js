// The programme manager's pages. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // A header checkbox data-select-all="NAME" ticks every checkbox named NAME in its form.
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute && event.target.getAttribute("data-select-all");
    if (!name || !event.target.form) {
      return;
    }
    var boxes = event.target.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = event.target.checked;
    }
  });
})();
