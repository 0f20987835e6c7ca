// A form marked data-once submits once: a double click sends one request.
document.querySelectorAll("form[data-once]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // A disabled button is left out of the form data: keep the clicked one's name and value
    // (forms with two buttons, such as 同意 / 提出修改意见).
    var by = event.submitter;
    if (by && by.name) {
      var kept = document.createElement("input");
      kept.type = "hidden";
      kept.name = by.name;
      kept.value = by.value;
      form.appendChild(kept);
    }
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  });
});
