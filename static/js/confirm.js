// A button or form marked data-confirm="…" asks first: the text says what will happen and to
// whom. Cancelling sends nothing (and leaves data-once forms ready for the next click).
document.querySelectorAll("button[data-confirm]").forEach(function (button) {
  button.addEventListener("click", function (event) {
    if (!window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });
});
