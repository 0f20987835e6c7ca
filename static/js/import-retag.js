// 从 Word 导入: changing what a line is re-assembles the letter at once (the same as clicking
// “按所选标记重新整理”), so the preview beside the lines always shows the chosen tags.
(function () {
  "use strict";
  var button = document.getElementById("retag");
  if (!button) return;
  document.querySelectorAll("select[data-retag]").forEach(function (select) {
    select.addEventListener("change", function () {
      button.click();
    });
  });
})();
