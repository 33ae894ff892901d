// Tabs of a record page. The address chooses the tab: #service opens that tab, #notes opens the
// tab holding the element "notes" (a panel's anchor). Otherwise the tab last shown on this page in
// this browser tab opens again, so that an action taken in a panel (which posts and comes back to
// the page) leaves the user where they were.
(function () {
  var memory = "tab:" + location.pathname;
  function button(key) { return document.querySelector('[data-bs-target="#tab-' + key + '"]'); }
  function tabHolding(id) {
    var element = id && document.getElementById(id);
    var pane = element && element.closest(".tab-pane");
    return pane ? pane.id.replace("tab-", "") : null;
  }
  var anchor = location.hash.slice(1);
  var wanted = anchor ? (button(anchor) ? anchor : tabHolding(anchor)) : sessionStorage.getItem(memory);
  if (wanted && button(wanted) && window.bootstrap) {
    window.bootstrap.Tab.getOrCreateInstance(button(wanted)).show();
    if (anchor && anchor !== wanted) { document.getElementById(anchor).scrollIntoView(); }
  }
  document.querySelectorAll('[data-bs-toggle="tab"]').forEach(function (tab) {
    tab.addEventListener("shown.bs.tab", function () {
      sessionStorage.setItem(memory, tab.dataset.bsTarget.replace("#tab-", ""));
    });
  });
})();
