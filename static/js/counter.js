// A text box with a maximum shows how much is used: "已输入 12／1000 字", and how much is over it
// in red. The browser's own maxlength is taken off: it would cut pasted text short without a word
// (nothing typed may be lost); the server refuses too long a text and keeps it in the form.
// Line breaks count one each, as the server counts them (proposals/web/newlines.py).
document.querySelectorAll("textarea[maxlength]").forEach(function (box) {
  var limit = box.maxLength;
  box.removeAttribute("maxlength");
  box.dataset.maxlength = limit;
  var counter = document.createElement("div");
  counter.className = "form-text text-end char-count";
  counter.setAttribute("aria-live", "polite");
  function update() {
    var used = box.value.length;
    var over = used - limit;
    counter.textContent = "已输入 " + used + "／" + limit + " 字" + (over > 0 ? "，超出 " + over + " 字，请删减" : "");
    counter.classList.toggle("text-danger", over > 0);
    box.classList.toggle("is-invalid", over > 0);
  }
  box.after(counter);
  box.addEventListener("input", update);
  update();
});
