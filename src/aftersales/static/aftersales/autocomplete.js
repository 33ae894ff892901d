// Comboboxes of large sets (core.autocomplete): the server renders a <select> holding only the
// chosen rows inside <div class="autocomplete" data-autocomplete-url=…>; this script hides it and
// shows a text box following the WAI-ARIA 1.2 combobox pattern (role=combobox, aria-expanded,
// aria-controls, aria-activedescendant; a listbox of options; arrow keys, Enter, Escape) that asks
// the API for the matches of what is typed (debounced). A pick becomes a selected <option> of the
// hidden select, so the form submits ids as without JavaScript; several picks show as chips.
// Built on page load and on every piece of content HTMX loads; rebuilt, never doubled.
(function () {
  "use strict";

  var DELAY = 250;
  var LIMIT = 20;
  var counter = 0;

  function build(root) {
    var select = root.querySelector("select");
    if (!select) { return; }
    root.querySelectorAll(".autocomplete-ui").forEach(function (old) { old.remove(); });
    var texts = root.dataset;
    var multiple = texts.multiple === "true";
    var baseId = select.dataset.comboboxId || select.id || "autocomplete-" + (++counter);
    select.dataset.comboboxId = baseId;
    var listId = baseId + "-listbox";
    var label = root.ownerDocument.querySelector('label[for="' + baseId + '"]');

    // The label names the text box; the select stays in the form, hidden, for the ids.
    select.id = baseId + "-select";
    select.hidden = true;
    select.style.setProperty("display", "none", "important");  // over utilities like d-inline-block
    select.tabIndex = -1;
    select.required = false;  // a hidden control cannot take the browser's focus; the server checks

    var ui = document.createElement("div");
    ui.className = "autocomplete-ui position-relative";
    var chips = document.createElement("div");
    chips.className = "autocomplete-chips d-flex flex-wrap gap-1";
    var input = document.createElement("input");
    input.type = "text";
    input.id = baseId;
    input.className = "form-control" + (select.classList.contains("form-select-sm") ? " form-control-sm" : "");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    input.placeholder = texts.textPlaceholder || "";
    if (select.dataset.testid) { input.dataset.testid = select.dataset.testid + "-combobox"; }
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "autocomplete-list list-group position-absolute w-100 shadow-sm";
    list.setAttribute("role", "listbox");
    if (label) {
      label.id = label.id || baseId + "-label";
      list.setAttribute("aria-labelledby", label.id);
    } else if (select.getAttribute("aria-label")) {  // a field without a <label> names itself
      input.setAttribute("aria-label", select.getAttribute("aria-label"));
      list.setAttribute("aria-label", select.getAttribute("aria-label"));
    }
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    ui.append(chips, input, list, status);
    root.appendChild(ui);

    var items = [];
    var active = -1;
    var timer = null;
    var request = null;

    function chosen() {
      return Array.prototype.filter.call(select.options, function (option) { return option.value !== ""; });
    }

    function renderChips() {
      chips.textContent = "";
      chosen().forEach(function (option) {
        var chip = document.createElement("span");
        chip.className = "badge text-bg-light border d-inline-flex align-items-center gap-1 mb-1";
        chip.dataset.testid = "autocomplete-chip";
        chip.dataset.value = option.value;
        chip.title = option.title || "";
        chip.append(option.textContent);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close";
        remove.style.fontSize = ".6rem";
        remove.setAttribute("aria-label", (texts.textRemove || "Remove") + " " + option.textContent);
        remove.addEventListener("click", function () {
          option.remove();
          changed();
          input.focus();
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function changed() {
      renderChips();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.querySelectorAll('[role="option"]'), function (node, i) {
        var on = i === index;
        node.setAttribute("aria-selected", on ? "true" : "false");
        node.classList.toggle("active", on);
        if (on) { node.scrollIntoView({ block: "nearest" }); }
      });
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", listId + "-" + index);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function note(text) {
      var li = document.createElement("li");
      li.className = "list-group-item small text-body-secondary";
      li.setAttribute("role", "presentation");
      li.textContent = text;
      list.appendChild(li);
    }

    function show(results, more) {
      items = results;
      list.textContent = "";
      var picked = chosen().map(function (option) { return option.value; });
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.className = "list-group-item list-group-item-action py-1";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.value = item.id;
        var name = document.createElement("span");
        name.textContent = item.label;
        li.appendChild(name);
        if (picked.indexOf(String(item.id)) >= 0) { li.classList.add("fw-semibold"); }
        if (item.detail) {
          var detail = document.createElement("small");
          detail.className = "ms-2 text-body-secondary";
          detail.textContent = item.detail;
          li.appendChild(detail);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { pick(item); });
        list.appendChild(li);
      });
      if (!results.length) { note(texts.textEmpty || ""); }
      if (more) { note(texts.textMore || ""); }
      status.textContent = results.length ? "" : texts.textEmpty || "";
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      setActive(results.length ? Math.min(Math.max(active, 0), results.length - 1) : -1);
    }

    function search(first) {
      if (request) { request.abort(); }
      request = new AbortController();
      status.textContent = texts.textLoading || "";
      var query = "?limit=" + LIMIT + "&q=" + encodeURIComponent(input.value.trim());
      fetch(texts.autocompleteUrl + query, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: request.signal,
      })
        .then(function (response) { return response.ok ? response.json() : { results: [], more: false }; })
        .then(function (data) {
          if (document.activeElement !== input) { return; }
          active = first ? 0 : -1;
          show(data.results || [], data.more);
        })
        .catch(function () { /* aborted by a newer search */ });
    }

    function pick(item) {
      var value = String(item.id);
      var existing = chosen().filter(function (option) { return option.value === value; })[0];
      if (!multiple) {
        chosen().forEach(function (option) { if (option !== existing) { option.remove(); } });
      }
      if (!existing) {
        var option = new Option(item.label, value, true, true);
        option.title = item.detail || "";
        select.appendChild(option);
      } else {
        existing.selected = true;
      }
      input.value = "";
      close();
      changed();
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { search(false); }, DELAY);
    });
    // The typed text is no filter: only a pick changes the form (HTMX listens for "change").
    input.addEventListener("change", function (event) { event.stopPropagation(); });
    input.addEventListener("click", function () { if (list.hidden) { search(false); } });
    input.addEventListener("blur", function () { clearTimeout(timer); close(); });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!open) { search(true); } else if (items.length) { setActive((active + 1) % items.length); }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (open && items.length) { setActive(active <= 0 ? items.length - 1 : active - 1); }
          break;
        case "Enter":
          if (open) {
            event.preventDefault();  // a pick, not the form's submission
            if (active >= 0 && items[active]) { pick(items[active]); }
          }
          break;
        case "Escape":
          if (open) { event.preventDefault(); close(); } else if (input.value) { input.value = ""; }
          break;
        case "Backspace":
          if (!input.value && multiple && chosen().length) {
            chosen().slice(-1)[0].remove();
            changed();
          }
          break;
        case "Tab":
          close();
          break;
      }
    });

    renderChips();
  }

  function buildAll(scope) {
    (scope || document).querySelectorAll(".autocomplete").forEach(build);
  }

  document.addEventListener("DOMContentLoaded", function () { buildAll(document); });
  // Back and forward restore HTMX's snapshot of the page: built markup without its listeners.
  document.addEventListener("htmx:historyRestore", function () { buildAll(document); });
  document.addEventListener("htmx:load", function (event) {
    var node = event.detail && event.detail.elt;
    if (!node || node === document.body) { return; }
    if (node.classList && node.classList.contains("autocomplete")) { build(node); return; }
    if (node.querySelectorAll) { buildAll(node); }
  });
})();
