// The complaint form: picking a customer from the search results fills the hidden id, shows the
// choice and, where still empty, the contact's name and phone.
document.addEventListener("click", function (event) {
  const option = event.target.closest("[data-pick-customer]");
  if (!option) return;
  document.getElementById("id_customer").value = option.dataset.id;
  document.getElementById("id_customer_label").value = option.dataset.label;
  document.querySelector("#customer-selected .label").textContent = option.dataset.label;
  document.getElementById("customer-selected").classList.remove("d-none");
  document.getElementById("customer-results").innerHTML = "";
  const name = document.getElementById("id_contact_name"), phone = document.getElementById("id_contact_phone");
  if (!name.value) name.value = option.dataset.contactName || "";
  if (!phone.value) phone.value = option.dataset.contactPhone || "";
});
