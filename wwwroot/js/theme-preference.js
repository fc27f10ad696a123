// Remembers the colour scheme for a year; the server reads the cookie when it renders a page.
export function saveThemePreference(cookieName, value) {
    const secure = window.location.protocol === "https:" ? "; secure" : "";
    document.cookie = `${encodeURIComponent(cookieName)}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax${secure}`;
}
