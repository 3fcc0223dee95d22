// The page's side of Salesforce's Canvas SDK (npm @salesforce/canvas-js-sdk)
// for one signed tool: the script tag after the tool's frame loads it, so it
// opens the frame by posting the signed request, then answers the tool's SDK.
//
// The SDK posts JSON text {seq, body: {type, config: {client}, ...},
// targetModule: "Canvas"} to client.targetOrigin, and reads back JSON text
// whose type picks its handler: "callback" runs the callback of seq with
// {status, statusText, payload}; "event" runs the onData of a subscription
// with {name, method: "onData", payload}.
//
// Only messages from this frame's window and the tool's origin are read, and
// answers go to the tool's origin only, never "*".
(function () {
  "use strict";

  var MIN_HEIGHT = 120, MAX_HEIGHT = 4000; // legacy.Tool's height allows up to 4000
  var script = document.currentScript;
  var form = script.parentNode.querySelector("form[data-canvas]");
  var frame = form && script.parentNode.querySelector("iframe[name]");
  if (!frame || frame.name !== form.target) return;
  var origin = new URL(form.action).origin;
  var request = decode(form.elements.signed_request.value);
  var subscribed = Object.create(null);

  // The signed request as the tool got it: ctx answers with its context, so
  // the answer can hold nothing the tool was not sent.
  function decode(signed) {
    var text = atob(signed.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, function (c) { return c.charCodeAt(0); })));
  }

  function post(message) {
    message.targetModule = "Canvas";
    // The SDK takes only text matching /^\{.*\}$/, where "." stops at
    // U+2028 and U+2029, which JSON leaves unescaped.
    var text = JSON.stringify(message).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
    frame.contentWindow.postMessage(text, origin);
  }

  function answer(seq, status, statusText, payload) {
    post({ type: "callback", seq: seq, status: status, statusText: statusText, payload: payload });
  }

  function publish(name, payload) {
    if (subscribed[name]) post({ type: "event", payload: { name: name, method: "onData", payload: payload } });
  }

  // resize and autogrow send a CSS height, e.g. "700px"; the width is the
  // panel's.
  function resize(size) {
    var m = size && /^(\d+)(px)?$/.exec(String(size.height));
    if (m) frame.height = String(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, parseInt(m[1], 10))));
  }

  window.addEventListener("message", function (e) {
    if (e.source !== frame.contentWindow || e.origin !== origin || typeof e.data !== "string") return;
    var m;
    try { m = JSON.parse(e.data); } catch (ignore) { return; }
    if (!m || m.targetModule !== "Canvas" || !m.body) return;
    var body = m.body;
    switch (body.type) {
      case "ctx":
        answer(m.seq, 200, "OK", request.context);
        break;
      case "resize":
        resize(body.size);
        break;
      case "subscribe":
      case "unsubscribe":
        Object.keys(body.subscriptions || {}).forEach(function (name) {
          if (body.type === "subscribe") subscribed[name] = true;
          else delete subscribed[name];
        });
        break;
      case "ajax":
      case "refresh":
        // Atrium is not Salesforce: it proxies no API calls and issues no
        // new signed requests to a frame. The body is in the shape of a
        // Salesforce REST error, which SDK apps already handle.
        answer(m.seq, 501, "Not Implemented", [{ errorCode: "NOT_SUPPORTED",
          message: "Atrium does not support " + body.type + " from embedded tools: call your own server instead." }]);
        break;
    }
  });

  // A panel reloaded in place (a retry, the timeline filtered or paged) may
  // show the customer differently; a tool showing the same customer can
  // follow.
  document.addEventListener("htmx:afterSettle", function (e) {
    var panel = e.target.closest && e.target.closest("section.panel[id^='panel-']");
    if (panel) {
      publish("atrium.panelRefreshed", { customerId: request.context.environment.parameters.customerId,
        panel: panel.id.slice("panel-".length) });
    }
  });

  form.submit();
})();
