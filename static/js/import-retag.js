// 从 Word 导入: changing what a line is re-assembles the letter at once (the same as clicking
// “按所选标记重新整理”), so the preview beside the lines always shows the chosen tags. The page
// comes back at the line just changed (the form's action carries its anchor), not at the top.
(function () {
  "use strict";
  var button = document.getElementById("retag");
  if (!button) return;
  var changed = /^#tag-\d+$/.test(window.location.hash) && document.querySelector(window.location.hash);
  if (changed) {
    // After the fonts and the preview have laid out, or the row is not where it ends up.
    window.addEventListener("load", function () {
      changed.scrollIntoView({ block: "center" });
      changed.focus({ preventScroll: true });
    });
  }
  document.querySelectorAll("select[data-retag]").forEach(function (select) {
    select.addEventListener("change", function () {
      button.form.action = window.location.pathname + "#" + select.id;
      button.click();
    });
  });
})();
