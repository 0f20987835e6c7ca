// The live preview follows the editor: focusing a field (or a 小标题 row) scrolls the preview
// pane to where that text is printed and marks it; after every preview update (htmx) and after
// a save (editor-guard.js focuses the field again) it finds the place again.
(function () {
  var form = document.getElementById("reply-form");
  var preview = document.getElementById("preview");
  if (!form || !preview) return;
  var pane = preview.closest(".preview-pane") || preview;
  var PLACES = {
    title: ".letter-title", salutation: ".letter-salutation", opening: ".letter-opening",
    consulted_text: ".letter-opening", closing: ".letter-closing", attachments_text: ".letter-attachments",
    doc_number: ".letter-head", signer: ".letter-head", publicity: ".letter-head", class_code: ".letter-head",
    signature: ".letter-sign", date: ".letter-sign",
    leader_name: ".letter-contact", leader_phone: ".letter-contact", handler_name: ".letter-contact",
    handler_phone: ".letter-contact", postcode: ".letter-contact", contact_style: ".letter-contact",
    contact_block_text: ".letter-contact",
    copies_text: ".letter-copies", copy_style: ".letter-copies", copy_line_text: ".letter-copies",
  };
  var current = null;  // the field last focused

  function typed(row) {
    return Array.prototype.some.call(row.querySelectorAll("input[type=text], textarea"), function (field) {
      return field.value.trim() !== "";
    });
  }
  // The preview prints only rows with text, in outline order: the row's place among those.
  function sectionFor(row) {
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-measure-row]"));
    var index = -1;
    for (var i = 0; i <= rows.indexOf(row); i++) if (typed(rows[i])) index++;
    var sections = preview.querySelectorAll(".letter-section");
    return sections[Math.max(0, Math.min(index, sections.length - 1))] || null;
  }
  function placeOf(field) {
    if (!field) return null;
    var row = field.closest("[data-measure-row]");
    if (row) return sectionFor(row);
    var selector = PLACES[field.name];
    return selector ? preview.querySelector(selector) : null;
  }
  function follow() {
    var place = placeOf(current);
    preview.querySelectorAll(".preview-current").forEach(function (el) { el.classList.remove("preview-current"); });
    if (!place) return;
    place.classList.add("preview-current");
    // The preview is zoomed (.letter-small): measure on screen and scroll the pane only (the
    // field being edited stays where it is), putting the place a quarter down the part of the
    // pane that is on screen.
    var box = pane.getBoundingClientRect();
    var top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
    pane.scrollTop += place.getBoundingClientRect().top - (top + (bottom - top) / 4);
  }
  form.addEventListener("focusin", function (event) {
    if (!event.target.name) return;
    current = event.target;
    follow();
  });
  preview.addEventListener("htmx:afterSwap", follow);
})();
