// htmx "settles" some attributes of elements that keep their id across a swap (the new
// element first gets the old value, then its own). For "style" that is an inline style,
// which the CSP ('self' only) refuses with a console error, e.g. on the route checkboxes
// when a rejected form comes back; we use no inline styles, so nothing is lost.
if (window.htmx) {
  window.htmx.config.attributesToSettle = ["class", "width", "height"];
}

// Progressive enhancement for htmx swaps (the pages work without JavaScript).
// After a section is swapped in place, the button that was pressed no longer exists;
// move keyboard and screen-reader focus to the section's heading instead of the page top.
document.addEventListener("htmx:afterSettle", function (event) {
  // With outerHTML the target itself was replaced: look its successor up by id.
  var id = event.detail.target && event.detail.target.id;
  var section = id ? document.getElementById(id) : null;
  if (!section || section.tagName !== "SECTION") {
    return;
  }
  var heading = section.querySelector("h2[tabindex='-1']");
  if (heading) {
    heading.focus({ preventScroll: true });
  }
});

// Character counters under textareas with a maximum length (form_fields.html renders the
// count on the server, so without JavaScript it is right after every page load; this keeps
// it up to date while typing). The text comes from the page, in the user's language.
function bszUpdateCounter(counter) {
  var field = document.getElementById(counter.getAttribute("data-counter-for"));
  if (field) {
    counter.textContent = counter
      .getAttribute("data-counter-text")
      .replace("{n}", String(field.value.length));
  }
}
document.addEventListener("input", function (event) {
  var id = event.target && event.target.id;
  var counter = id ? document.querySelector("[data-counter-for='" + id + "']") : null;
  if (counter) {
    bszUpdateCounter(counter);
  }
});
