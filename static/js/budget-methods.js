// The budget line editor (budgets/budget_edit.html).
(function () {
  // Show only the inputs the row's method uses; the server checks them again (forms.METHOD_FIELDS).
  const uses = JSON.parse(document.getElementById("method-fields").textContent);
  const inputs = ["amount", "base", "rate", "per_capita", "count"];
  function refresh(select) {
    const row = select.closest("tr");
    const needed = uses[select.value] || [];
    for (const name of inputs) {
      const input = row.querySelector(`[name$="-${name}"]`);
      if (input) input.style.visibility = needed.includes(name) ? "visible" : "hidden";
    }
  }
  document.querySelectorAll('select[name$="-method"]').forEach((select) => {
    refresh(select);
    select.addEventListener("change", () => refresh(select));
  });
})();
