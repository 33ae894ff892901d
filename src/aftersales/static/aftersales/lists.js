// Lists (core.lists): the box in the header ticks or unticks every row of the page (the rows' boxes
// belong to the bulk form by their form attribute). Delegated from the document, so it keeps
// working after HTMX replaces the results.
document.addEventListener("change", function (event) {
  var all = event.target.closest('[data-testid="tick-all"]');
  if (!all) { return; }
  all.closest("table").querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = all.checked; });
});
