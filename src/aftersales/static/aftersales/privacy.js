// The reveal form of a masked phone number or address (R41) answers a refusal (a missing reason,
// the hourly limit: 400, 429) with itself and the message: show it in place instead of dropping it.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if ((status === 400 || status === 429) && event.detail.elt.hasAttribute("data-swap-errors")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
