// After django-otp-webauthn's script registers a security key, go to the account page, which
// lists it (the placeholder says where).
document.addEventListener("otp_webauthn.register_complete", function () {
  var placeholder = document.getElementById("passkey-registration-placeholder");
  window.location.assign(placeholder ? placeholder.dataset.doneUrl : "/staff/account/");
});
