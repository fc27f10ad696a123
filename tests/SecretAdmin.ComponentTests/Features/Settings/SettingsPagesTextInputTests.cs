using Microsoft.EntityFrameworkCore;
using SecretAdmin.ComponentTests.Support;
using SecretAdmin.Data;
using SecretAdmin.Features.Mfa;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;

namespace SecretAdmin.ComponentTests.Features.Settings;

/// <summary>
/// The text rule on the settings pages: a typed value with control or invisible formatting
/// characters gets its field's message and is not saved; a value an older version stored that
/// breaks the rule loads, with its field's message shown at once.
/// </summary>
public sealed class SettingsPagesTextInputTests : SettingsPageContext
{
    private const string ControlMessage = "must not contain control characters (such as line breaks, tabs or escapes) or invisible formatting characters (such as direction marks)";

    [Fact]
    public async Task ButtonLabelTyped_EscapeSequence_ShowsTheFieldsMessageAndSavesNothing()
    {
        var page = RenderPage<OidcSettingsPage>();

        page.Find("#oidc-button-label").Input("Sign in\u001B[2J");
        await SaveAsync(page);

        page.WaitForAssertion(() => Assert.Contains($"Provider name on the button {ControlMessage}; it contains U+001B (escape).", TextAround(page, "#oidc-button-label"), StringComparison.Ordinal), Wait);
        Assert.NotEmpty(page.FindAll(".settings-invalid"));
        Assert.Equal(0, (await Service<OidcSettingsService>().GetAsync()).Version);
    }

    [Fact]
    public void FromNameTyped_CrLfHeader_ShowsTheFieldsMessageAtOnce()
    {
        var page = RenderPage<SmtpSettingsPage>();

        page.Find("#smtp-from-name").Input("Name\r\nBcc: victim@evil.example");

        page.WaitForAssertion(() => Assert.Contains($"From name {ControlMessage}; it contains U+000D (carriage return).", TextAround(page, "#smtp-from-name"), StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task Render_StoredLabelBreakingTheRule_LoadsShowsTheFieldsMessageAndSavesOnceCorrected()
    {
        await using (var db = await Service<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            db.OidcSettings.Add(new OidcSettings { ButtonLabel = "Sign in \u202Eevil", Version = 1 });
            await db.SaveChangesAsync();
        }

        var page = RenderPage<OidcSettingsPage>();

        page.WaitForAssertion(() => Assert.Contains($"Provider name on the button {ControlMessage}; it contains U+202E.", TextAround(page, "#oidc-button-label"), StringComparison.Ordinal), Wait);
        Assert.DoesNotContain(ControlMessage, TextAround(page, "#oidc-client-id"), StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll(".settings-invalid"));

        page.Find("#oidc-button-label").Input("Sign in with Contoso");
        await SaveAsync(page);

        // Saved as the provider's name: the button puts "Sign in with" before it.
        page.WaitForAssertion(() => Assert.Equal("Contoso", Service<OidcSettingsService>().GetAsync().Result.ButtonLabel), Wait);
    }

    [Fact]
    public async Task Render_StoredIssuerWithNul_LoadsAndShowsTheFieldsMessage()
    {
        await using (var db = await Service<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync())
        {
            db.MfaPolicy.Add(new MfaPolicy { Issuer = "Contoso\0", Version = 1 });
            await db.SaveChangesAsync();
        }

        var page = RenderPage<MfaPolicyPage>();

        page.WaitForAssertion(() => Assert.Contains($"Issuer {ControlMessage}; it contains U+0000 (NUL).", TextAround(page, "#mfa-issuer"), StringComparison.Ordinal), Wait);
    }
}
