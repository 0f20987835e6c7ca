// Measures editor: rows in outline order (level 1–4). Adding, deleting, moving and indenting
// happen in the page, so nothing typed is lost; the server rebuilds the tree on save.
(function () {
  var list = document.getElementById("measures");
  if (!list) return;
  var template = document.getElementById("measure-row-template");
  var total = document.getElementById("id_m-TOTAL_FORMS");

  function rows() { return Array.prototype.slice.call(list.querySelectorAll("[data-measure-row]")); }
  function level(row) { return parseInt(row.querySelector("select").value, 10) || 1; }
  function setLevel(row, value) { row.querySelector("select").value = String(Math.max(1, Math.min(4, value))); }
  function subtree(row) {  // the row and the rows nested under it
    var all = rows(), start = all.indexOf(row), out = [row];
    for (var i = start + 1; i < all.length && level(all[i]) > level(row); i++) out.push(all[i]);
    return out;
  }
  function renumber() {
    var previous = 0;
    rows().forEach(function (row, index) {
      if (level(row) > previous + 1) setLevel(row, previous + 1);
      previous = level(row);
      row.className = row.className.replace(/level-\d/, "level-" + previous);
      row.querySelectorAll("[name]").forEach(function (field) {
        field.name = field.name.replace(/^m-(\d+|__prefix__)-/, "m-" + index + "-");
        field.id = "id_" + field.name;
      });
      row.querySelectorAll("label[for]").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/^id_m-(\d+|__prefix__)-/, "id_m-" + index + "-");
      });
    });
    total.value = rows().length;
    document.body.dispatchEvent(new Event("measures-changed"));
  }
  function newRow(levelValue) {
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.trim();
    var row = holder.firstElementChild;
    setLevel(row, levelValue);
    return row;
  }
  function add(after) {
    var row = newRow(after ? level(after) : 1);
    if (after) { var group = subtree(after); group[group.length - 1].after(row); } else { list.appendChild(row); }
    renumber();
    row.querySelector(".measure-heading").focus();
  }
  // For restoring a kept copy of unsaved text (editor-guard.js): exactly `count` rows.
  window.measuresEditor = {
    ensureRows: function (count) {
      while (rows().length < count) list.appendChild(newRow(1));
      while (rows().length > count) rows()[rows().length - 1].remove();
      renumber();
    },
    refresh: function () { renumber(); },
  };
  document.querySelector("[data-measure-add]").addEventListener("click", function () {
    var all = rows(); add(all.length ? all[all.length - 1] : null);
  });
  list.addEventListener("change", function (event) { if (event.target.tagName === "SELECT") renumber(); });
  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    var row = button.closest("[data-measure-row]"), group = subtree(row), all = rows();
    if (button.hasAttribute("data-measure-insert")) { add(row); return; }
    if (button.hasAttribute("data-measure-delete")) {
      var typed = row.querySelector(".measure-heading").value + row.querySelector(".measure-paragraphs").value;
      if (typed.trim() && !window.confirm("删除这一条及其内容？")) return;
      group.slice(1).forEach(function (child) { setLevel(child, level(child) - 1); });
      row.remove();
    } else if (button.hasAttribute("data-measure-up")) {
      var before = all[all.indexOf(row) - 1];
      while (before && level(before) > level(row)) before = all[all.indexOf(before) - 1];
      if (before) group.forEach(function (item) { before.before(item); });
    } else if (button.hasAttribute("data-measure-down")) {
      var next = all[all.indexOf(group[group.length - 1]) + 1];
      if (next && level(next) >= level(row)) {
        var nextGroup = subtree(next), last = nextGroup[nextGroup.length - 1];
        group.slice().reverse().forEach(function (item) { last.after(item); });
      }
    } else if (button.hasAttribute("data-measure-indent")) {
      if (level(row) < 4) group.forEach(function (item) { setLevel(item, level(item) + 1); });
    } else if (button.hasAttribute("data-measure-outdent")) {
      if (level(row) > 1) group.forEach(function (item) { setLevel(item, level(item) - 1); });
    }
    renumber();
  });
})();
