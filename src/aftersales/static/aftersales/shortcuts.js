// Keyboard shortcut of the navbar's search box: "/" (or Ctrl+K) focuses it, unless the user is
// typing somewhere already; Escape leaves it.
(function () {
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("global-search");
    if (!box) return;
    var slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey;
    var ctrlK = (event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K");
    if ((slash && !typing(event.target)) || ctrlK) {
      event.preventDefault();
      var menu = document.getElementById("mainnav");
      if (menu && !menu.classList.contains("show") && box.offsetParent === null && window.bootstrap) {
        window.bootstrap.Collapse.getOrCreateInstance(menu).show();
      }
      box.focus();
      box.select();
    } else if (event.key === "Escape" && document.activeElement === box) {
      box.blur();
    }
  });
})();
