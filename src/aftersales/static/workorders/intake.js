// The intake form: picking a customer or a device from the search results, clearing a choice,
// and the switch to a new customer; the caller panel beside the form follows each change.
(function () {
  var form = document.getElementById("intake-form");
  function el(name) { return form.elements[name]; }
  function show(id, on) { document.getElementById(id).classList.toggle("d-none", !on); }
  // the caller's work orders and the device's history beside the form follow what was picked
  function callerChanged() { document.body.dispatchEvent(new CustomEvent("caller-changed")); }
  function setIfEmpty(name, value) { if (value && el(name) && !el(name).value) { el(name).value = value; } }
  function pickCustomer(d) {
    el("customer").value = d.id; el("customer_label").value = d.label;
    document.querySelector("#customer-selected .label").textContent = d.label;
    show("customer-selected", true);
    el("new_customer").checked = false; show("new-customer-fields", false); show("customer-pick", true);
    setIfEmpty("contact_name", d.contactName); setIfEmpty("contact_phone", d.contactPhone);
    document.getElementById("customer-results").innerHTML = "";
    callerChanged();
  }
  form.addEventListener("click", function (event) {
    var customer = event.target.closest("[data-pick-customer]");
    if (customer) { event.preventDefault(); pickCustomer(customer.dataset); return; }
    var device = event.target.closest("[data-pick-device]");
    if (device) {
      event.preventDefault();
      var d = device.dataset;
      el("device").value = d.id; el("device_label").value = d.label;
      document.querySelector("#device-selected .label").textContent = d.label;
      show("device-selected", true);
      el("serial_number").value = d.serial; el("device_model_text").value = "";
      if (d.purchaseDate) { el("purchase_date").value = d.purchaseDate; }
      if (!el("customer").value && d.customerId && !el("new_customer").checked) {
        pickCustomer({id: d.customerId, label: d.customerLabel, contactName: d.contactName, contactPhone: d.contactPhone});
      }
      document.getElementById("device-results").innerHTML = "";
      callerChanged();
      return;
    }
    var clear = event.target.closest("[data-clear]");
    if (clear) {
      var what = clear.dataset.clear;
      el(what).value = ""; el(what + "_label").value = "";
      show(what + "-selected", false);
      callerChanged();
    }
  });
  el("new_customer").addEventListener("change", function () {
    show("new-customer-fields", this.checked); show("customer-pick", !this.checked);
    if (this.checked) { el("customer").value = ""; el("customer_label").value = ""; show("customer-selected", false); }
  });
})();
