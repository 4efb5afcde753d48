// The payment page: Stripe.js's card element, confirmCardPayment with the hold's client
// secret, the hold's countdown, and polling until the server has confirmed the booking
// (Stripe's signed webhook confirms it; the browser's word is never enough).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("payment");
  if (!root) return;
  var status = document.getElementById("payment-status");
  var countdown = document.getElementById("countdown");
  var form = document.getElementById("payment-form");
  var deadline = Date.parse(root.dataset.holdExpiresAt);
  var finished = false;

  function say(text) {
    status.textContent = text;
  }

  function finish(state) {
    finished = true;
    if (form) form.hidden = true;
    root.dataset.state = state;
    say(
      state === "confirmed"
        ? "Payment received: your booking is confirmed."
        : "The hold has lapsed and the seat is back on the listing; nothing was charged."
    );
  }

  function tick() {
    if (finished || !countdown) return;
    var left = Math.max(0, deadline - Date.now());
    var minutes = Math.floor(left / 60000);
    var seconds = Math.floor(left / 1000) % 60;
    countdown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    if (left > 0) window.setTimeout(tick, 1000);
  }

  function poll() {
    if (finished) return;
    fetch(root.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        return answer.ok ? answer.json() : null;
      })
      .catch(function () {
        return null;
      })
      .then(function (body) {
        if (body && body.state !== "awaiting_payment") finish(body.state);
        else window.setTimeout(poll, 1500);
      });
  }

  tick();
  poll();
  if (!form || typeof Stripe !== "function") return;
  var stripe = Stripe(root.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  form.addEventListener("submit", function (submitted) {
    submitted.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    say("Paying…");
    stripe
      .confirmCardPayment(root.dataset.clientSecret, { payment_method: { card: card } })
      .then(function (result) {
        if (finished) return;
        if (result.error) {
          button.disabled = false;
          say((result.error.message || "The payment did not go through.") + " Try another card.");
        } else {
          say("Payment sent; waiting for Stripe's confirmation…");
        }
      });
  });
});
