// Swagger UI over this API's own document. A file of its own, not an inline script, so the
// page's Content-Security-Policy can allow scripts from this API only.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    // Swagger UI would otherwise send the document to an outside validator for a badge.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
