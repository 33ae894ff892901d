// Behaviour every page may ask for with a data attribute, so no page needs inline script (the
// Content-Security-Policy forbids it): data-print prints the page, data-submit-on-change sends
// the form of a field as soon as it changes (the language switch), data-select-on-focus selects a
// field's text when it gets the focus (a new API token's key, to copy).
(function () {
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-submit-on-change]");
    if (field && field.form) field.form.submit();
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });
})();
