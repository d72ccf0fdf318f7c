// Passkeys: adding one (/account/passkeys/) and using one at sign-in (/account/two-factor/).
// The server (py_webauthn) gives the options as JSON and checks the browser's answer; this
// file only carries them to navigator.credentials and back, with the form's CSRF token.

const toBytes = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
};

const toText = (buffer) => {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const creationOptions = (json) => {
  if (window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON) {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: toBytes(json.challenge),
    user: { ...json.user, id: toBytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
};

const requestOptions = (json) => {
  if (window.PublicKeyCredential && PublicKeyCredential.parseRequestOptionsFromJSON) {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: toBytes(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
};

const asJSON = (credential) => {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const response = credential.response;
  const answer = { clientDataJSON: toText(response.clientDataJSON) };
  if (response.attestationObject) {
    answer.attestationObject = toText(response.attestationObject);
    answer.transports = response.getTransports ? response.getTransports() : [];
  } else {
    answer.authenticatorData = toText(response.authenticatorData);
    answer.signature = toText(response.signature);
    answer.userHandle = response.userHandle ? toText(response.userHandle) : null;
  }
  return {
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    response: answer,
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment,
  };
};

const showError = (message) => {
  const box = document.getElementById("passkey-error");
  document.getElementById("passkey-error-text").textContent = message;
  box.hidden = false;
  box.focus();
};

const post = async (url, form, body) => {
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    body: JSON.stringify(body || {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    if (answer.reload) window.location.reload();
    throw new Error(answer.error || "Something went wrong. Try again");
  }
  return answer;
};

const cancelled = (error) =>
  error && (error.name === "NotAllowedError" || error.name === "AbortError");

const addForm = document.getElementById("passkey-add");
if (addForm) {
  if (!window.PublicKeyCredential) {
    addForm.hidden = true;
    document.getElementById("passkey-unsupported").hidden = false;
  }
  addForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const options = await post(addForm.dataset.optionsUrl, addForm);
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      const name = addForm.querySelector("#passkey-name").value;
      const done = await post(addForm.dataset.addUrl, addForm, { credential: asJSON(credential), name });
      window.location.assign(done.redirect);
    } catch (error) {
      showError(cancelled(error) ? "No passkey was added. Try again when you are ready" : error.message);
    }
  });
}

const signInForm = document.getElementById("passkey-sign-in");
if (signInForm) {
  signInForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const options = await post(signInForm.dataset.optionsUrl, signInForm);
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      const done = await post(signInForm.dataset.checkUrl, signInForm, { credential: asJSON(credential) });
      window.location.assign(done.redirect);
    } catch (error) {
      showError(cancelled(error) ? "The passkey was not used. Try again" : error.message);
    }
  });
}
