/* Push for this browser, on the preferences page (served as /push.js). Progressive
   enhancement: without JavaScript the page says push needs it and everything else works.
   The permission is asked only after a click on "Slå på varsler i denne nettleseren". */
"use strict";

(function () {
  const box = document.getElementById("push");
  if (!box) return;
  const status = document.getElementById("push-status");
  const on = document.getElementById("push-on");
  const off = document.getElementById("push-off");
  const say = (key) => { status.textContent = box.dataset[key] || ""; };
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) { say("unsupported"); return; }

  function keyBytes(text) {
    const padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function post(url, fields) {
    const body = new URLSearchParams(Object.assign({ csrf: box.dataset.csrf }, fields));
    return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } });
  }

  /* A refusal in the server's own words (its Norwegian "message"); without one, the page's
     text for too many attempts (429), for a subscriber at the device cap ("full"), or the
     general failure. */
  async function refused(answer) {
    let json = {};
    try { json = await answer.json(); } catch (error) { json = {}; }
    const own = typeof json.message === "string" ? json.message : "";
    if (answer.status === 429) { status.textContent = own || box.dataset.limited || ""; return; }
    if (json.error === "full") { status.textContent = own || box.dataset.full || ""; return; }
    say("failed");
  }

  function show(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    say(subscribed ? "isOn" : "isOff");
  }

  const ready = navigator.serviceWorker.register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready);

  ready.then((reg) => reg.pushManager.getSubscription())
    .then((sub) => show(Boolean(sub)))
    .catch(() => say("failed"));

  on.addEventListener("click", async () => {
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") { say("denied"); return; }
      const reg = await ready;
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key) });
      const json = sub.toJSON();
      const answer = await post(box.dataset.action, { endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth });
      if (!answer.ok) { await refused(answer); await sub.unsubscribe(); return; }
      show(true);
    } catch (error) {
      say("failed");
    }
  });

  off.addEventListener("click", async () => {
    try {
      const reg = await ready;
      const sub = await reg.pushManager.getSubscription();
      if (sub) {
        await post(box.dataset.action + "/av", { endpoint: sub.endpoint });
        await sub.unsubscribe();
      }
      show(false);
    } catch (error) {
      say("failed");
    }
  });
})();
