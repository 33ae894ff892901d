/* The engineer's visit page (R12, R15): the browser's position on check-in and check-out when the
   phone gives it (the step works without), the customer's signature drawn on a canvas with
   signature_pad, sent as a PNG data URL (and drawn again when the form comes back to be confirmed),
   and the confirmation asked for when a rating of 1 or 2 goes with "satisfied" (R16, R17; the
   server refuses it unconfirmed). */
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

  var signoffForm = document.getElementById("signoff-form");
  var confirmBox = document.getElementById("confirm-low-rating-box");
  if (signoffForm && confirmBox) {
    var showConfirm = function () {
      var low = Array.prototype.some.call(
        signoffForm.querySelectorAll("input[data-rating]:checked"),
        function (input) { return Number(input.value) <= 2; }
      );
      var satisfied = signoffForm.querySelector("input[name=satisfied][value=yes]:checked");
      if (low && satisfied) confirmBox.classList.remove("d-none");
      else if (!confirmBox.querySelector("[data-testid=confirm-low-rating-error]")) confirmBox.classList.add("d-none");
    };
    signoffForm.addEventListener("change", showConfirm);
    showConfirm();
  }

  var canvas = document.getElementById("signature-canvas");
  if (!canvas || !window.SignaturePad) return;
  var pad = new window.SignaturePad(canvas, { backgroundColor: "rgb(255, 255, 255)" });

  var hidden = document.getElementById("signature-data");
  var kept = hidden ? hidden.value : "";  // the signature drawn before the form came back

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var strokes = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(strokes);
    if (kept && !strokes.length) {
      pad.fromDataURL(kept, { width: canvas.offsetWidth, height: canvas.offsetHeight });
    }
  }
  window.addEventListener("resize", resize);
  resize();

  document.getElementById("signature-clear").addEventListener("click", function () {
    kept = "";
    pad.clear();
  });
  document.getElementById("signoff-form").addEventListener("submit", function () {
    document.getElementById("signature-data").value = pad.isEmpty() ? kept : pad.toDataURL("image/png");
  });
})();
