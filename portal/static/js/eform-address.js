/* Address fields: when the province changes, offer only its communes.
 * Without JavaScript the page offers them after the next check of the data. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-eform] select[name$='-province']").forEach(function (province) {
    var commune = province.form.elements[province.name.replace(/-province$/, "-commune")];
    if (!commune) { return; }
    province.addEventListener("change", function () {
      var url = "/api/forms/code-lists/communes?parent=" + encodeURIComponent(province.value);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (entries) {
          commune.length = 1;  // keep the empty choice
          entries.forEach(function (entry) { commune.add(new Option(entry.label, entry.code)); });
        });
    });
  });
})();
