// The import page asks for confirmation only when the import would activate items for real.
(() => {
  "use strict";
  const form = document.getElementById("import-form");
  if (!form) return;
  const activate = form.querySelector('input[name="activate"]');
  const dryRun = form.querySelector('input[name="dry_run"]');
  const update = () => {
    if (activate.checked && !dryRun.checked) form.setAttribute("data-confirm", form.dataset.activateConfirm);
    else form.removeAttribute("data-confirm");
  };
  activate.addEventListener("change", update);
  dryRun.addEventListener("change", update);
  update();
})();
