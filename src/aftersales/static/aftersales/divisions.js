// Address pickers (core.forms.AddressFields): picking a province loads its cities, a city its
// districts, from /api/divisions/?parent=<code>; the options' values are the names addresses
// store, their data-code the division's code. Works for every group of selects on the page.
(function () {
  function selects(group) {
    var found = {};
    document.querySelectorAll('select[data-division-group="' + group + '"]').forEach(function (s) {
      found[s.dataset.division] = s;
    });
    return found;
  }
  function reset(select) {
    if (!select) return;
    select.innerHTML = "";
    var empty = document.createElement("option");
    empty.value = "";
    empty.textContent = "—";
    select.appendChild(empty);
  }
  function load(select, code) {
    reset(select);
    if (!select || !code) return Promise.resolve();
    select.setAttribute("aria-busy", "true");
    return fetch("/api/divisions/?parent=" + encodeURIComponent(code), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) {
        body.results.forEach(function (row) {
          var option = document.createElement("option");
          option.value = row.name;
          option.textContent = row.name;
          option.dataset.code = row.code;
          select.appendChild(option);
        });
        if (body.results.length === 1) {  // a municipality's one "city": chosen for the user
          select.value = body.results[0].name;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      })
      .finally(function () { select.removeAttribute("aria-busy"); });
  }
  function code(select) {
    var option = select.options[select.selectedIndex];
    return option ? option.dataset.code : "";
  }
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.dataset.divisionGroup) return;
    var group = selects(select.dataset.divisionGroup);
    if (select.dataset.division === "province") {
      reset(group.district);
      load(group.city, code(select));
    } else if (select.dataset.division === "city") {
      load(group.district, code(select));
    }
  });
})();
