// Behaviour of form controls, declared in the markup instead of inline handlers (the
// Content-Security-Policy runs scripts from this server only).
//   <select data-autosubmit>: submits its form when the choice changes.
//   data-year-month: the value "YYYY-M" also fills the form's hidden year and month inputs first.
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.hasAttribute("data-year-month")) {
        const parts = select.value.split("-");
        select.form.year.value = parts[0];
        select.form.month.value = parts[1];
      }
      select.form.submit();
    });
  });
})();
