// Tabs of a record page. The server renders the tab the address names (?tab=money, where a
// panel's form sends the user back) and the others load when first shown (HTMX, "intersect
// once"). Without ?tab, #service opens that tab, and otherwise the tab last shown on this page in
// this browser tab opens again. Without JavaScript the tabs are plain links to ?tab=.
(function () {
  var memory = "tab:" + location.pathname;
  function button(key) { return document.querySelector('[data-bs-target="#tab-' + key + '"]'); }
  var anchor = location.hash.slice(1);
  var chosen = new URLSearchParams(location.search).has("tab");
  var wanted = button(anchor) ? anchor : (chosen || anchor ? null : sessionStorage.getItem(memory));
  if (wanted && button(wanted) && window.bootstrap) {
    window.bootstrap.Tab.getOrCreateInstance(button(wanted)).show();
  }
  document.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (tab) {
    tab.addEventListener("shown.bs.tab", function () {
      sessionStorage.setItem(memory, tab.dataset.bsTarget.replace("#tab-", ""));
    });
  });
})();
