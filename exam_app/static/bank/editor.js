// The item editor: option rows shared by every language (add / remove, 3-6), and a live
// preview of the question as the candidate's test page shows it, in the chosen language.
// Plain JavaScript, no build step; texts come translated from the page.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const form = $("item-form");
  if (!form) return;
  const text = JSON.parse($("bank-editor-text").textContent);
  const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
  const rows = $("option-rows");
  const table = $("option-table");
  const enList = $("en-options");
  const min = Number(table.dataset.min);
  const max = Number(table.dataset.max);
  const langName = {};
  document.querySelectorAll('input[name="preview_lang"]').forEach((r) => {
    langName[r.value] = r.parentElement.textContent.trim();
  });

  // --- option rows ------------------------------------------------------------------------
  function renumber() {
    const trs = Array.from(rows.querySelectorAll("tr"));
    trs.forEach((tr, i) => {
      tr.querySelector("td.num").textContent = String(i + 1);
      const key = tr.querySelector('input[name="key"]');
      key.value = String(i);
      key.setAttribute("aria-label", fmt(text.correct, { n: i + 1 }));
      tr.querySelectorAll('input[data-part="option"]').forEach((input) => {
        input.setAttribute("aria-label", `${fmt(text.option, { n: i + 1 })} (${langName[input.dataset.lang] || input.dataset.lang})`);
      });
      tr.querySelector(".remove-option").setAttribute("aria-label", fmt(text.remove, { n: i + 1 }));
    });
    Array.from(enList.querySelectorAll("input")).forEach((input, i) => {
      input.setAttribute("aria-label", `${fmt(text.option, { n: i + 1 })} (${langName.en || "en"})`);
    });
    $("add-option").disabled = trs.length >= max;
    rows.querySelectorAll(".remove-option").forEach((b) => { b.disabled = trs.length <= min; });
    preview();
  }

  function addOption() {
    const count = rows.querySelectorAll("tr").length;
    if (count >= max) return;
    const template = rows.querySelector("tr");
    const tr = template.cloneNode(true);
    tr.querySelectorAll("input").forEach((input) => {
      if (input.type === "checkbox") input.checked = false; else input.value = "";
    });
    rows.appendChild(tr);
    const li = document.createElement("li");
    const input = document.createElement("input");
    Object.assign(input, { type: "text", name: "options_en", lang: "en" });
    input.dataset.lang = "en";
    input.dataset.part = "option";
    li.appendChild(input);
    enList.appendChild(li);
    renumber();
    tr.querySelector('input[type="text"]').focus();
  }

  function removeOption(tr) {
    const trs = Array.from(rows.querySelectorAll("tr"));
    if (trs.length <= min) return;
    const index = trs.indexOf(tr);
    tr.remove();
    const li = enList.querySelectorAll("li")[index];
    if (li) li.remove();
    renumber();  // later rows move up, and their key boxes with them
  }

  $("add-option").addEventListener("click", addOption);
  rows.addEventListener("click", (event) => {
    const button = event.target.closest(".remove-option");
    if (button) removeOption(button.closest("tr"));
  });

  // --- live preview ----------------------------------------------------------------------
  function previewLang() {
    const checked = document.querySelector('input[name="preview_lang"]:checked');
    return checked ? checked.value : "ru";
  }

  function optionsOf(lang) {
    return Array.from(form.querySelectorAll(`input[name="options_${lang}"]`)).map((i) => i.value.trim());
  }

  function preview() {
    const lang = previewLang();
    const stem = (form.querySelector(`[name="stem_${lang}"]`)?.value || "").trim();
    const multiple = form.querySelector('[name="type_code"]').value === "multiple_choice";
    const topic = form.querySelector('[name="topic"]');
    const section = topic.selectedOptions[0]?.dataset.section;
    const keys = new Set(Array.from(form.querySelectorAll('input[name="key"]:checked')).map((k) => Number(k.value)));
    const showKey = $("preview-key").checked;
    const box = $("preview");
    box.lang = lang;
    $("preview-section").textContent = section ? text[section] || "" : "";
    const stemEl = $("preview-stem");
    stemEl.textContent = stem || text.empty_stem;
    stemEl.classList.toggle("empty", !stem);
    $("preview-hint").textContent = multiple ? text.multiple : text.single;
    const list = $("preview-options");
    list.replaceChildren();
    optionsOf(lang).forEach((option, i) => {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = multiple ? "checkbox" : "radio";
      input.name = "preview-option";
      const span = document.createElement("span");
      span.textContent = `${i + 1}. ${option || text.empty_option}`;
      if (!option) span.classList.add("empty");
      label.classList.toggle("is-key", showKey && keys.has(i));
      label.append(input, span);
      list.appendChild(label);
    });
  }

  form.addEventListener("input", preview);
  form.addEventListener("change", preview);
  document.querySelectorAll('input[name="preview_lang"], #preview-key').forEach((el) => el.addEventListener("change", preview));

  // --- citation check --------------------------------------------------------------------
  const script = $("bank-editor-script");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  $("check-quote").addEventListener("click", async () => {
    const out = $("quote-result");
    out.className = "";
    out.textContent = text.checking;
    try {
      const response = await fetch(script.dataset.checkUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: JSON.stringify({
          source: form.querySelector('[name="citation_source"]').value,
          clause: form.querySelector('[name="citation_clause"]').value,
          quote: form.querySelector('[name="citation_quote"]').value,
        }),
      });
      if (!response.ok) throw new Error(String(response.status));
      const result = await response.json();
      out.textContent = result.message;
      out.className = result.found ? "ok" : "error-text";
    } catch (e) {
      out.textContent = text.check_failed;
      out.className = "error-text";
    }
  });

  renumber();
})();
