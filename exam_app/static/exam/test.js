// The test page: one question at a time, every change saved as a numbered step.
// Steps wait in localStorage until the server acknowledges them, so a reload, a crash or a
// dropped network loses nothing; the countdown is re-read from the server, never trusted locally.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("exam-data").textContent);
  const text = JSON.parse(document.getElementById("exam-text").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const key = (name) => `exam:${data.attempt}:${name}`;
  const $ = (id) => document.getElementById(id);
  const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));

  const store = {
    get(name, fallback) {
      try { const v = localStorage.getItem(key(name)); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set(name, value) {
      try { localStorage.setItem(key(name), JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
    },
  };
  let device = null;
  try { device = localStorage.getItem("exam:device"); } catch (e) { /* ignore */ }
  if (!device) {
    device = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/-/g, "").slice(0, 32);
    try { localStorage.setItem("exam:device", device); } catch (e) { /* ignore */ }
  }

  const questions = data.questions;
  const byPosition = new Map(questions.map((q) => [q.position, q]));
  // Current answers: the server's, then any steps still queued here (they are newer).
  const answers = new Map();
  for (const [pos, a] of Object.entries(data.answers)) answers.set(Number(pos), { response: a.response, flagged: a.flagged, seq: a.seq });
  let queue = store.get("queue", []).filter((s) => s && s.device === device);
  for (const s of queue) {
    const prev = answers.get(s.position);
    if (!prev || prev.seq < s.seq) answers.set(s.position, { response: s.response, flagged: s.flagged, seq: s.seq });
  }
  let seq = Math.max(store.get("seq", 0), data.max_seq || 0, ...queue.map((s) => s.seq));
  let index = Math.min(Math.max(store.get("index", 0), 0), questions.length - 1);
  let closed = false;

  // --- rendering -------------------------------------------------------------------------
  function render() {
    const q = questions[index];
    const a = answers.get(q.position) || { response: [], flagged: false };
    $("q-section").textContent = q.section === "legal" ? text.legal : text.functional;
    $("q-title").textContent = fmt(text.question, { n: index + 1, total: questions.length });
    $("q-stem").textContent = q.stem;
    const box = $("q-options");
    box.replaceChildren();
    const hint = document.createElement("p");
    hint.className = "hint";
    hint.textContent = q.multiple ? text.multiple : text.single;
    box.appendChild(hint);
    q.options.forEach((option, i) => {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = q.multiple ? "checkbox" : "radio";
      input.name = "option";
      input.value = String(i);
      input.checked = a.response.includes(i);
      input.addEventListener("change", () => choose(q, i, input.checked));
      const span = document.createElement("span");
      span.textContent = `${i + 1}. ${option}`;
      label.append(input, span);
      box.appendChild(label);
    });
    $("flag").setAttribute("aria-pressed", a.flagged ? "true" : "false");
    $("flag").textContent = "⚑ " + (a.flagged ? text.flag_on : text.flag_off);
    $("prev").disabled = index === 0;
    $("next").disabled = index === questions.length - 1;
    store.set("index", index);
    renderPalette();
  }

  function renderPalette() {
    for (const group of ["legal", "functional"]) {
      const cells = document.querySelector(`#palette-${group} .cells`);
      if (!cells.childElementCount) {
        questions.forEach((q, i) => {
          if (q.section !== group) return;
          const b = document.createElement("button");
          b.type = "button";
          b.textContent = String(i + 1);
          b.dataset.index = String(i);
          b.addEventListener("click", () => { index = i; render(); $("q-stem").focus?.(); });
          cells.appendChild(b);
        });
      }
      for (const b of cells.children) {
        const i = Number(b.dataset.index);
        const a = answers.get(questions[i].position);
        const answered = !!(a && a.response.length);
        b.classList.toggle("answered", answered);
        b.classList.toggle("flagged", !!(a && a.flagged));
        b.classList.toggle("current", i === index);
        b.setAttribute("aria-current", i === index ? "true" : "false");
        b.setAttribute("aria-label", `${i + 1}${answered ? " ✓" : ""}${a && a.flagged ? " ⚑" : ""}`);
      }
    }
  }

  // --- answering -------------------------------------------------------------------------
  function choose(q, option, checked) {
    const a = answers.get(q.position) || { response: [], flagged: false };
    let response;
    if (q.multiple) {
      const set = new Set(a.response);
      if (checked) set.add(option); else set.delete(option);
      response = [...set].sort((x, y) => x - y);
    } else {
      response = [option];
    }
    record(q.position, response, a.flagged);
  }

  function toggleFlag() {
    const q = questions[index];
    const a = answers.get(q.position) || { response: [], flagged: false };
    record(q.position, a.response, !a.flagged);
  }

  function record(position, response, flagged) {
    if (closed) return;
    seq += 1;
    const step = { position, response, flagged, seq, device, time: Date.now() };
    answers.set(position, { response, flagged, seq });
    queue.push(step);
    store.set("queue", queue);
    store.set("seq", seq);
    render();
    flush();
  }

  // --- sending ---------------------------------------------------------------------------
  let inFlight = null;
  let retryDelay = 1000;
  let retryTimer = null;

  function showSaveState() {
    const n = queue.length;
    $("save-state").textContent = n ? fmt(text.pending, { n }) : text.saved;
    $("pending-count").textContent = n ? fmt(text.pending, { n }) : "";
  }

  function setOffline(offline) {
    $("offline-banner").hidden = !offline;
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body),
    });
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("application/json")) throw Object.assign(new Error("session"), { session: true });
    return { status: response.status, body: await response.json() };
  }

  function flush() {
    if (inFlight) return inFlight;
    if (!queue.length) { showSaveState(); return Promise.resolve(true); }
    $("save-state").textContent = text.saving;
    const batch = queue.slice(0, 100);
    inFlight = post(data.urls.steps, { device, steps: batch })
      .then(({ status, body }) => {
        setOffline(false);
        retryDelay = 1000;
        if (status >= 400 && !body.refused) throw Object.assign(new Error(body.code || "error"), { server: body });
        const done = new Set([...(body.accepted || []), ...(body.refused || []).map((r) => r.seq)]);
        queue = queue.filter((s) => !done.has(s.seq));
        store.set("queue", queue);
        const refusal = (body.refused || [])[0];
        if (refusal) showError(fmt(text.refused, { reason: body.message || refusal.code }));
        if (refusal && (refusal.code === "deadline_passed" || refusal.code === "attempt_closed")) finish();
        if (typeof body.remaining === "number") sync(body.remaining);
        return true;
      })
      .catch((error) => {
        if (error.session) showError(document.documentElement.lang === "ru" ? "Войдите снова: ответы сохранены на этом компьютере." : "Қайта кіріңіз: жауаптар осы компьютерде сақталған. / Log in again: answers are kept here.");
        else if (!error.server) setOffline(true);
        scheduleRetry();
        return false;
      })
      .finally(() => {
        inFlight = null;
        showSaveState();
        if (queue.length && !retryTimer && navigator.onLine !== false) setTimeout(flush, 50);
      });
    return inFlight;
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 10000);
  }

  function showError(message) {
    const box = $("error-banner");
    box.textContent = message;
    box.hidden = false;
  }

  // --- the server's clock ------------------------------------------------------------------
  let deadlineLocal = Date.now() + data.remaining * 1000;
  let paused = !!data.paused;
  let frozen = data.remaining;
  function sync(remaining) { deadlineLocal = Date.now() + remaining * 1000; frozen = remaining; }
  function setPaused(value) {
    paused = value;
    $("pause-banner").hidden = !paused;
  }

  async function refreshState() {
    try {
      const response = await fetch(data.urls.state, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const body = await response.json();
      setOffline(false);
      sync(body.remaining);
      setPaused(!!body.paused);
      if (typeof body.server_time === "number") window.examClockOffset = body.server_time - Date.now();
      if (body.status !== "in_progress") finish();
    } catch (e) {
      setOffline(true);
    }
  }

  function tick() {
    const left = Math.max(0, Math.round(paused ? frozen : (deadlineLocal - Date.now()) / 1000));
    const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    $("timer").textContent = (h ? `${h}:` : "") + `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
    $("timer").parentElement.classList.toggle("low", left <= 300);
    if (left === 0 && !closed && !paused) onTimeUp();
  }

  let timeUpPolling = false;
  async function onTimeUp() {
    if (timeUpPolling) return;
    timeUpPolling = true;
    await flush();
    const poll = async () => {
      await refreshState();
      if (!closed) setTimeout(poll, 2000);
    };
    poll();
  }

  function finish() {
    if (closed) return;
    closed = true;
    showError(text.time_up);
    setTimeout(() => { window.location.href = data.urls.result; }, 800);
  }

  // --- submitting --------------------------------------------------------------------------
  function openSubmit() {
    const unanswered = [], flagged = [];
    questions.forEach((q, i) => {
      const a = answers.get(q.position);
      if (!a || !a.response.length) unanswered.push(i + 1);
      if (a && a.flagged) flagged.push(i + 1);
    });
    $("submit-summary").textContent = fmt(text.answered_of, { n: questions.length - unanswered.length, total: questions.length });
    $("submit-unanswered").textContent = fmt(text.unanswered, { list: unanswered.length ? unanswered.join(", ") : text.none });
    $("submit-flagged").textContent = fmt(text.flagged, { list: flagged.length ? flagged.join(", ") : text.none });
    $("submit-dialog").showModal();
  }

  async function confirmSubmit() {
    const button = $("submit-confirm");
    button.disabled = true;
    for (let i = 0; i < 20 && queue.length; i++) {
      if (!(await flush())) break;
    }
    if (queue.length) {
      button.disabled = false;
      $("submit-dialog").close();
      setOffline(true);
      return;
    }
    try {
      const { body } = await post(data.urls.submit, {});
      closed = true;
      window.location.href = body.result || data.urls.result;
    } catch (e) {
      button.disabled = false;
      setOffline(true);
    }
  }

  // --- wiring ------------------------------------------------------------------------------
  $("prev").addEventListener("click", () => { if (index > 0) { index -= 1; render(); } });
  $("next").addEventListener("click", () => { if (index < questions.length - 1) { index += 1; render(); } });
  $("flag").addEventListener("click", toggleFlag);
  $("submit-open").addEventListener("click", openSubmit);
  $("submit-cancel").addEventListener("click", () => $("submit-dialog").close());
  $("submit-confirm").addEventListener("click", confirmSubmit);
  document.addEventListener("keydown", (event) => {
    if ($("submit-dialog").open || event.altKey || event.ctrlKey || event.metaKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || (tag === "input" && event.target.type === "text")) return;
    if (event.key === "ArrowRight" && index < questions.length - 1) { index += 1; render(); event.preventDefault(); }
    else if (event.key === "ArrowLeft" && index > 0) { index -= 1; render(); event.preventDefault(); }
    else if (event.key === "f" || event.key === "F" || event.key === "а" || event.key === "А") { toggleFlag(); event.preventDefault(); }
    else if (/^[1-6]$/.test(event.key)) {
      const q = questions[index];
      const n = Number(event.key) - 1;
      if (n < q.options.length) {
        const a = answers.get(q.position) || { response: [] };
        choose(q, n, q.multiple ? !a.response.includes(n) : true);
        event.preventDefault();
      }
    }
  });
  window.addEventListener("online", () => { setOffline(false); flush(); refreshState(); });
  window.addEventListener("offline", () => setOffline(true));
  document.addEventListener("visibilitychange", () => { if (!document.hidden) { refreshState(); flush(); } });
  window.addEventListener("focus", refreshState);
  window.addEventListener("beforeunload", (event) => { if (queue.length && !closed) { event.preventDefault(); event.returnValue = ""; } });

  render();
  showSaveState();
  tick();
  setInterval(tick, 1000);
  setInterval(refreshState, 30000);
  setInterval(() => { if (paused) refreshState(); }, 5000);
  setPaused(paused);
  setInterval(() => { if (queue.length) flush(); }, 5000);
  flush();
})();
