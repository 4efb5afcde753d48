// Adds the viewer's own clock time to each event time. The server cannot know the viewer's
// UTC offset, so without this script a page shows the event's zone and UTC only.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var day = { weekday: "short", day: "numeric", month: "short", year: "numeric" };
  var clock = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" };
  var both = Object.assign({}, day, clock);
  document.querySelectorAll(".viewer[data-starts-at]").forEach(function (slot) {
    var start = new Date(slot.dataset.startsAt);
    var end = new Date(slot.dataset.endsAt);
    if (isNaN(start) || isNaN(end)) return;
    var sameDay =
      start.toLocaleDateString(undefined, day) === end.toLocaleDateString(undefined, day);
    var text = sameDay
      ? start.toLocaleString(undefined, both) + " – " + end.toLocaleTimeString(undefined, clock)
      : start.toLocaleString(undefined, both) + " – " + end.toLocaleString(undefined, both);
    slot.textContent = "Your time: " + text;
    slot.hidden = false;
  });
});
