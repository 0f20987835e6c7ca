// A button or form marked data-confirm="…" asks first: the text says what will happen and to
// whom. Cancelling sends nothing (and leaves data-once forms ready for the next click).
// {name} in the text is replaced by what the form's field `name` holds now (a select box's chosen
// label), so the question repeats the values about to be sent; nothing chosen reads 未选择.
function confirmText(button) {
  var form = button.form;
  return button.dataset.confirm.replace(/\{([a-z_]+)\}/g, function (whole, name) {
    var field = form && form.elements[name];
    if (!field) {
      return whole;
    }
    if (field.tagName === "SELECT") {
      var option = field.options[field.selectedIndex];
      return option && option.value ? option.text : "未选择";
    }
    return field.value || "未选择";
  });
}

document.querySelectorAll("button[data-confirm]").forEach(function (button) {
  button.addEventListener("click", function (event) {
    if (!window.confirm(confirmText(button))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });
});
