// A text box with a maximum shows how much is used: "已输入 12／1000 字".
document.querySelectorAll("textarea[maxlength]").forEach(function (box) {
  var counter = document.createElement("div");
  counter.className = "form-text text-end char-count";
  counter.setAttribute("aria-live", "polite");
  function update() { counter.textContent = "已输入 " + box.value.length + "／" + box.maxLength + " 字"; }
  box.after(counter);
  box.addEventListener("input", update);
  update();
});
