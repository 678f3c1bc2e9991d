// The SAML HTTP-POST binding: submits the form to the service provider at once (the page has a Continue button for
// browsers without JavaScript). A file of its own because the Content-Security-Policy allows no inline script.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('saml-post');
  if (form instanceof HTMLFormElement) form.submit();
});
