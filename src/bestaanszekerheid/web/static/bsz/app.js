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
