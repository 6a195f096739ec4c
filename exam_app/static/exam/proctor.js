// Proctoring in the browser: webcam frames every N seconds (and on events), browser events with
// timestamps, the microphone level measured here (audio never leaves the computer), and a heartbeat
// so that the server can tell a gap in monitoring from a quiet candidate.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("exam-data").textContent);
  const cfg = data.proctoring || {};
  if (!cfg.enabled) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const video = document.getElementById("proctor-video");
  const banner = document.getElementById("proctor-banner");
  const canvas = document.createElement("canvas");
  const events = [];
  let stream = null;
  let lastFrameAt = 0;

  function offset() { return typeof window.examClockOffset === "number" ? window.examClockOffset : 0; }

  function record(kind, extra) {
    events.push(Object.assign({ kind, time: Date.now() }, extra || {}));
    if (kind !== "heartbeat") sendEvents();
  }

  let sending = false;
  async function sendEvents() {
    if (sending || !events.length) return;
    sending = true;
    const batch = events.splice(0, 100);
    try {
      const response = await fetch(cfg.events, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ events: batch, offset_ms: offset() }),
      });
      if (!response.ok && response.status >= 500) throw new Error(String(response.status));
    } catch (e) {
      events.unshift(...batch); // keep them for the next try
    } finally {
      sending = false;
    }
  }

  async function sendFrame(purpose) {
    if (!stream || !video.videoWidth) return false;
    const scale = Math.min(1, 640 / video.videoWidth, 480 / video.videoHeight);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.7));
    if (!blob) return false;
    const form = new FormData();
    form.append("frame", blob, "frame.jpg");
    form.append("purpose", purpose);
    form.append("time", String(Date.now() + offset()));
    try {
      const response = await fetch(cfg.frames, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf }, body: form });
      lastFrameAt = Date.now();
      return response.ok;
    } catch (e) {
      return false;
    }
  }

  async function startCamera() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true })
        .catch(() => navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false }));
      video.srcObject = stream;
      banner.hidden = true;
      await new Promise((resolve) => { if (video.readyState >= 2) resolve(); else video.onloadeddata = resolve; });
      for (const track of stream.getVideoTracks()) {
        track.addEventListener("ended", () => { banner.hidden = false; record("camera_stopped"); });
      }
      watchVoice(stream);
      if (!cfg.identity_taken) {
        await new Promise((resolve) => setTimeout(resolve, 1500)); // let the camera settle its exposure
        await sendFrame("identity");
        cfg.identity_taken = true;
      }
    } catch (e) {
      banner.hidden = false;
      record("camera_stopped", { detail: { error: String(e && e.name) } });
    }
  }

  // Sustained voice: RMS above a threshold for 5 s or more; only the measurement is sent.
  function watchVoice(s) {
    if (!s.getAudioTracks().length || !window.AudioContext) return;
    try {
      const ctx = new AudioContext();
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 1024;
      ctx.createMediaStreamSource(s).connect(analyser);
      const buf = new Float32Array(analyser.fftSize);
      let loudSince = 0;
      setInterval(() => {
        analyser.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += v * v;
        const rms = Math.sqrt(sum / buf.length);
        const now = Date.now();
        if (rms > 0.05) { if (!loudSince) loudSince = now; }
        else if (loudSince) {
          if (now - loudSince >= 5000) record("voice", { time: loudSince, duration_ms: now - loudSince });
          loudSince = 0;
        }
      }, 250);
    } catch (e) { /* no audio analysis in this browser */ }
  }

  // Browser events, each with its start time and (for states) duration.
  let hiddenSince = 0, blurSince = 0;
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) { hiddenSince = Date.now(); sendFrame("event"); }
    else if (hiddenSince) { record("tab_hidden", { time: hiddenSince, duration_ms: Date.now() - hiddenSince }); hiddenSince = 0; }
  });
  window.addEventListener("blur", () => { blurSince = Date.now(); });
  window.addEventListener("focus", () => {
    if (blurSince) { record("window_blur", { time: blurSince, duration_ms: Date.now() - blurSince }); blurSince = 0; }
  });
  document.addEventListener("fullscreenchange", () => { if (!document.fullscreenElement) record("fullscreen_exit"); });
  for (const kind of ["copy", "cut", "paste"]) document.addEventListener(kind, () => { record(kind); sendFrame("event"); });
  document.addEventListener("contextmenu", () => record("context_menu"));
  if (window.screen && window.screen.isExtended) record("second_screen");
  if (window.screen && "onchange" in window.screen) {
    window.screen.addEventListener("change", () => { if (window.screen.isExtended) record("second_screen"); });
  }

  const interval = Math.max(2, Number(cfg.frame_interval) || 10) * 1000;
  setInterval(() => { if (Date.now() - lastFrameAt >= interval - 200) sendFrame("periodic"); }, 1000);
  setInterval(() => {
    const live = !!(stream && stream.getVideoTracks().some((t) => t.readyState === "live"));
    record("heartbeat", { detail: { camera: live } });
    sendEvents();
  }, 15000);
  startCamera();
})();
