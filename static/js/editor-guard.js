// Nothing typed in the reply editor is lost:
// - leaving with unsaved changes (a link, 返回, closing the tab) asks first;
// - Enter in a one-line field does not submit the form;
// - after saving, the page returns to the field that was being edited;
// - a copy of the unsaved text is kept in this browser (localStorage) while typing, and the next
//   visit offers to restore it or to discard it.
(function () {
  var form = document.getElementById("reply-form");
  if (!form) return;
  var reply = form.dataset.reply;
  var backupKey = "reply-draft:" + reply;
  var returnKey = "reply-return:" + reply;
  var submitting = false;
  var lastField = null;

  function fields() {
    var data = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "version") data.push([name, String(value)]);
    });
    return data;
  }
  var saved = JSON.stringify(fields());
  function dirty() { return JSON.stringify(fields()) !== saved; }

  function keepCopy() {
    if (!dirty()) { localStorage.removeItem(backupKey); return; }
    localStorage.setItem(backupKey, JSON.stringify({ at: new Date().toISOString(), fields: fields() }));
  }
  var timer = null;
  function changed() { clearTimeout(timer); timer = setTimeout(keepCopy, 400); }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  document.body.addEventListener("measures-changed", changed);

  window.addEventListener("beforeunload", function (event) {
    if (submitting || !dirty()) return;
    keepCopy();
    event.preventDefault();
    event.returnValue = "";
  });

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.tagName === "INPUT" && ["submit", "button"].indexOf(target.type) < 0) {
      event.preventDefault();
    }
  });

  form.addEventListener("focusin", function (event) { if (event.target.id) lastField = event.target.id; });
  form.addEventListener("submit", function () {
    submitting = true;
    keepCopy();  // kept until the page after the save shows it arrived
    sessionStorage.setItem(returnKey, JSON.stringify({ field: lastField, y: window.scrollY }));
  });

  // After a save: back to the field being edited; the copy is dropped once the save arrived.
  var back = sessionStorage.getItem(returnKey);
  if (back) {
    sessionStorage.removeItem(returnKey);
    back = JSON.parse(back);
    var failed = document.querySelector(".conflict, .alert-danger, .is-invalid, .invalid-feedback");
    if (!failed) localStorage.removeItem(backupKey);
    var field = back.field && document.getElementById(back.field);
    var goBack = function () {
      if (field) {
        field.focus({ preventScroll: true });
        field.scrollIntoView({ block: "center" });
      } else {
        window.scrollTo(0, back.y || 0);
      }
    };
    goBack();
    window.addEventListener("load", function () { requestAnimationFrame(goBack); });
  }

  // A copy left from an earlier visit (a closed tab, a crash): restore it or discard it.
  var copy = localStorage.getItem(backupKey);
  if (!copy) return;
  copy = JSON.parse(copy);
  if (JSON.stringify(copy.fields) === saved) { localStorage.removeItem(backupKey); return; }
  var banner = document.createElement("div");
  banner.className = "alert alert-info d-flex flex-wrap align-items-center gap-2 draft-backup";
  banner.setAttribute("role", "alert");
  var when = new Date(copy.at);
  var text = document.createElement("span");
  text.textContent = "这台电脑上有一份未保存的内容（" + when.getFullYear() + "年" + (when.getMonth() + 1) + "月" +
    when.getDate() + "日 " + String(when.getHours()).padStart(2, "0") + ":" + String(when.getMinutes()).padStart(2, "0") +
    "），是否恢复？恢复后请检查并保存。";
  var restore = document.createElement("button");
  restore.type = "button"; restore.className = "btn btn-sm btn-primary"; restore.textContent = "恢复未保存的内容";
  var discard = document.createElement("button");
  discard.type = "button"; discard.className = "btn btn-sm btn-outline-secondary"; discard.textContent = "放弃";
  banner.append(text, restore, discard);
  form.parentNode.insertBefore(banner, form);
  discard.addEventListener("click", function () { localStorage.removeItem(backupKey); banner.remove(); });
  restore.addEventListener("click", function () {
    var rows = 0;
    copy.fields.forEach(function (pair) {
      var match = /^m-(\d+)-/.exec(pair[0]);
      if (match) rows = Math.max(rows, parseInt(match[1], 10) + 1);
    });
    if (window.measuresEditor) window.measuresEditor.ensureRows(rows);
    copy.fields.forEach(function (pair) {
      var element = form.elements[pair[0]];
      if (element && element.type !== "checkbox") element.value = pair[1];
    });
    if (window.measuresEditor) window.measuresEditor.refresh();
    form.dispatchEvent(new Event("input", { bubbles: true }));
    banner.remove();
  });
})();
