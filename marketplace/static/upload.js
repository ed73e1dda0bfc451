// Shows how far a large upload has got on a slow line. Without this script
// the form posts as usual; with it, the same POST goes through XHR and the
// answer replaces the page.
document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    var bar = form.querySelector(".upload-progress");
    if (!window.FormData || !bar) return;
    event.preventDefault();
    var request = new XMLHttpRequest();
    bar.hidden = false;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total);
    });
    request.addEventListener("load", function () {
      // After a redirect (the rows were stored) the answer is the page redirected to.
      if (request.responseURL) history.replaceState(null, "", request.responseURL);
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () { form.submit(); });
    request.open("POST", form.action || location.href);
    request.send(new FormData(form));
  });
});
