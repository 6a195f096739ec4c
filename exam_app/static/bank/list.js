// The item list: the header checkbox selects or clears every row of the page.
(() => {
  "use strict";
  const all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", () => {
    document.querySelectorAll('input[type="checkbox"][name="item"]').forEach((box) => { box.checked = all.checked; });
  });
})();
