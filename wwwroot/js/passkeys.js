// Passkey buttons, wherever a page renders one (static forms and interactive pages alike).
//
// <button type="button" data-passkey="register" data-options-url=… data-submit-url=…> inside a form:
//   posts the form (its antiforgery token, the name, the proof) for creation options, asks the
//   browser to make a passkey, posts it, and goes where the server says.
// <button type="button" data-passkey="sign-in" data-options-url=…> inside a form with an input
//   named "credential": asks for request options, lets the browser sign them, and submits the form.
// A form's [data-passkey-error] element shows what went wrong; nothing is sent on a refusal.

const base64url = {
    decode(text) {
        const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
        return Uint8Array.from(atob(base64), c => c.charCodeAt(0)).buffer;
    },
    encode(buffer) {
        let binary = "";
        for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
        return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    },
};

function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    return {
        ...json,
        challenge: base64url.decode(json.challenge),
        user: { ...json.user, id: base64url.decode(json.user.id) },
        excludeCredentials: (json.excludeCredentials ?? []).map(c => ({ ...c, id: base64url.decode(c.id) })),
    };
}

function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    return {
        ...json,
        challenge: base64url.decode(json.challenge),
        allowCredentials: (json.allowCredentials ?? []).map(c => ({ ...c, id: base64url.decode(c.id) })),
    };
}

function toJson(credential) {
    if (credential.toJSON) return JSON.stringify(credential.toJSON());
    const response = credential.response;
    const encoded = {};
    for (const name of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
        if (response[name]) encoded[name] = base64url.encode(response[name]);
    }
    if (response.getTransports) encoded.transports = response.getTransports();
    return JSON.stringify({
        id: credential.id,
        rawId: base64url.encode(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment ?? null,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: encoded,
    });
}

// data-fields="name:element-id,…": values of inputs outside the form (or rendered by components that name no input).
function fields(button) {
    const values = {};
    for (const pair of (button.dataset.fields ?? "").split(",").filter(Boolean)) {
        const [name, id] = pair.split(":");
        values[name] = document.getElementById(id)?.value ?? "";
    }
    return values;
}

async function post(url, form, extra = {}) {
    const body = new FormData(form);
    for (const [name, value] of Object.entries(extra)) body.set(name, value);
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" } });
    let json = null;
    try { json = await response.json(); } catch { /* not JSON: answered below */ }
    if (!response.ok) {
        throw new Error(json?.error ?? "The server refused the request. Reload the page and try again.");
    }
    return json;
}

function describe(error) {
    switch (error?.name) {
        case "NotAllowedError": return "No passkey was used: it was cancelled, or it took too long. Try again.";
        case "InvalidStateError": return "This device already holds a passkey for your account.";
        case "SecurityError": return "Passkeys work only at the address SecretAdmin is set up for, over HTTPS (or on localhost).";
        default: return error?.message || "The passkey did not work. Try again.";
    }
}

async function run(button) {
    const form = button.closest("form");
    const shown = form.querySelector("[data-passkey-error]");
    const show = message => {
        if (!shown) return;
        shown.textContent = message;
        shown.hidden = !message;
    };
    show("");
    if (!window.PublicKeyCredential || !navigator.credentials) {
        show("This browser does not support passkeys.");
        return;
    }

    button.disabled = true;
    try {
        if (button.dataset.passkey === "register") {
            const options = await post(button.dataset.optionsUrl, form, fields(button));
            const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
            const done = await post(button.dataset.submitUrl, form, { ...fields(button), proof: "", credential: toJson(credential) });
            window.location.assign(done.next);
            return;
        }

        const options = await post(button.dataset.optionsUrl, form);
        const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
        form.querySelector("input[name='credential']").value = toJson(credential);
        form.submit();
    } catch (error) {
        show(describe(error));
        button.disabled = false;
    }
}

document.addEventListener("click", event => {
    const button = event.target.closest?.("button[data-passkey]");
    if (button && !button.disabled) {
        event.preventDefault();
        run(button);
    }
});
