/* Helsevarsel's service worker (served as /sw.js, scope /): shows the alerts a push service
   brings. The payload is JSON {title, body, url, urgent, tag}, sent by notifier/channels/webpush.py. */
"use strict";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const title = typeof data.title === "string" && data.title ? data.title : "Helsevarsel";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "",
      tag: typeof data.tag === "string" ? data.tag : undefined,
      data: { url: typeof data.url === "string" ? data.url : "/" },
      icon: "/ikon-192.png",
      badge: "/ikon-192.png",
      lang: "nb",
      requireInteraction: data.urgent === true,
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let target = "/";
  try {
    const url = new URL((event.notification.data || {}).url || "/", self.location.origin);
    if (url.protocol === "https:" || url.protocol === "http:") target = url.href;
  } catch (error) {
    target = "/";
  }
  event.waitUntil(self.clients.openWindow(target));
});
