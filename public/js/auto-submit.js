// Submits a form marked data-auto-submit once the page has loaded (the SAML POST binding).
// Without JavaScript the user presses the visible button instead.
(function () {
  var form = document.querySelector('form[data-auto-submit]');
  if (form) form.submit();
})();
