/* The engineer's visit page (R12, R15): the browser's position on check-in and check-out when the
   phone gives it (the step works without), and the customer's signature drawn on a canvas with
   signature_pad, sent as a PNG data URL. */
(function () {
  "use strict";

  var status = document.querySelector("[data-testid=geo-status]");

  function submitOnce(form) {
    if (form.dataset.sent) return;
    form.dataset.sent = "1";
    form.submit();
  }

  document.querySelectorAll("form[data-geolocate]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent || !navigator.geolocation) return;
      event.preventDefault();
      if (status) status.textContent = status.dataset.locating || "…";
      var fallback = window.setTimeout(function () { submitOnce(form); }, 10000);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          window.clearTimeout(fallback);
          form.elements.latitude.value = position.coords.latitude;
          form.elements.longitude.value = position.coords.longitude;
          form.elements.accuracy.value = position.coords.accuracy;
          submitOnce(form);
        },
        function () {
          window.clearTimeout(fallback);
          submitOnce(form);
        },
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 }
      );
    });
  });

  var canvas = document.getElementById("signature-canvas");
  if (!canvas || !window.SignaturePad) return;
  var pad = new window.SignaturePad(canvas, { backgroundColor: "rgb(255, 255, 255)" });

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var strokes = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(strokes);
  }
  window.addEventListener("resize", resize);
  resize();

  document.getElementById("signature-clear").addEventListener("click", function () { pad.clear(); });
  document.getElementById("signoff-form").addEventListener("submit", function () {
    document.getElementById("signature-data").value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
