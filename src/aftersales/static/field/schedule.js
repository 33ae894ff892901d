/* The schedule board (R5, R12, R38): drag an unassigned work order onto an engineer's free hour.
   Plain HTML5 drag events; the drop fills the work order's own booking form (engineer, start) and
   submits it, which htmx posts and answers with the board (the result shown on it). The form is
   the keyboard and phone way to do the same. Listeners sit on the document, so the board swapped
   in after a booking works at once. */
(function () {
  "use strict";

  var dragged = null;

  function slotOf(event) {
    return event.target && event.target.closest ? event.target.closest("[data-slot]") : null;
  }

  function clearOver() {
    document.querySelectorAll(".schedule-over").forEach(function (el) { el.classList.remove("schedule-over"); });
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target && event.target.closest ? event.target.closest(".schedule-unassigned[data-work-order]") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.workOrder);
    card.classList.add("opacity-50");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("opacity-50");
    dragged = null;
    clearOver();
  });

  document.addEventListener("dragover", function (event) {
    var slot = slotOf(event);
    if (!slot) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearOver();
    slot.classList.add("schedule-over");
  });

  document.addEventListener("dragleave", function (event) {
    var slot = slotOf(event);
    if (slot) slot.classList.remove("schedule-over");
  });

  document.addEventListener("drop", function (event) {
    var slot = slotOf(event);
    if (!slot) return;
    event.preventDefault();
    clearOver();
    var id = event.dataTransfer.getData("text/plain") || (dragged && dragged.dataset.workOrder);
    var form = id ? document.querySelector('form[data-book-for="' + id + '"]') : null;
    if (!form) return;
    form.elements.engineer.value = slot.dataset.engineer;
    form.elements.window_start.value = slot.dataset.start;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });
})();
