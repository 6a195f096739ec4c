// System check before the test: a current browser, a working camera, and the server answering.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const t = (id) => document.getElementById(id).innerHTML.trim();
  const results = { browser: false, camera: false, connection: false };
  let stream = null;

  function mark(name, ok, failText) {
    const li = $(`c-${name}`);
    li.dataset.state = ok ? "ok" : "fail";
    li.querySelector("span").textContent = ok ? t("t-ok") : failText;
    if (!(name in results)) return; // informative only (the microphone)
    results[name] = ok;
    $(`check_${name}`).value = ok ? "1" : "0";
    $("to-rules").disabled = !(results.browser && results.camera && results.connection);
    $("blocked-hint").hidden = !$("to-rules").disabled;
  }

  async function check() {
    const modern = typeof fetch === "function" && typeof Promise === "function" && "localStorage" in window
      && typeof HTMLDialogElement === "function" && !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
    mark("browser", modern, t("t-fail-browser"));
    try {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      $("preview").srcObject = stream;
      mark("camera", stream.getVideoTracks().length > 0, t("t-fail-camera"));
    } catch (e) {
      mark("camera", false, t("t-fail-camera"));
    }
    try {
      const audio = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      mark("microphone", audio.getAudioTracks().length > 0, t("t-fail-microphone"));
      audio.getTracks().forEach((track) => track.stop());
    } catch (e) {
      mark("microphone", false, t("t-fail-microphone"));
    }
    try {
      const started = performance.now();
      const response = await fetch("/healthz", { cache: "no-store" });
      mark("connection", response.ok && performance.now() - started < 5000, t("t-fail-connection"));
    } catch (e) {
      mark("connection", false, t("t-fail-connection"));
    }
  }

  $("recheck").addEventListener("click", check);
  $("prepare-form").addEventListener("submit", () => { if (stream) stream.getTracks().forEach((track) => track.stop()); });
  check();
})();
