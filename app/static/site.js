// Progressive enhancement only: every page works without this file.
// Copy buttons: <button class="copy-button" data-copy="ID" hidden> copies the text of #ID.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("button.copy-button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Copy failed: select the text instead"; }
      ).then(function () {
        setTimeout(function () { button.textContent = label; }, 2500);
      });
    });
  });
})();
