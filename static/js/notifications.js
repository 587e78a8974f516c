// Notifications: after a notification is marked read in place (htmx), refresh the bell's count.
(function () {
  "use strict";
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var path = event.detail.pathInfo && event.detail.pathInfo.requestPath;
    if (!path || path.indexOf("/notifications/") !== 0 || !event.detail.successful) {
      return;
    }
    var bell = document.getElementById("notification-bell");
    if (bell && window.htmx) {
      window.htmx.trigger(bell, "refresh");
    }
  });
})();
