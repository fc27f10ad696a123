using System.Text;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Oidc;
using SecretAdmin.Features.Smtp;
using SecretAdmin.Tests.Features.Smtp;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Features.Settings;

/// <summary>What a stolen database file shows: after saving each secret, neither the file nor its WAL holds the plaintext.</summary>
public sealed class SecretsAtRestTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task StoredDatabase_AfterSavingEachSecret_DoesNotHoldThePlaintext()
    {
        const string clientSecret = "plaintext-client-secret-Zq81";
        const string smtpPassword = "plaintext-smtp-password-Kx42";
        var actor = new AuditActor("admin@example.test", null);
        using (var services = TestServices.Build(_temp))
        {
            var oidc = new OidcSettingsForm { Authority = "https://login.example.test", ClientId = "app", NewClientSecret = clientSecret, Enabled = false };
            Assert.True((await services.GetRequiredService<OidcSettingsService>().SaveAsync(actor, oidc, 0)).Succeeded);
            var smtp = SmtpSettingsServiceTests.ValidForm(smtpPassword);
            Assert.True((await services.GetRequiredService<SmtpSettingsService>().SaveAsync(actor, smtp, 0)).Succeeded);

            // Read while the app would still be running: the WAL holds the latest pages.
            AssertNotIn(clientSecret, smtpPassword);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        AssertNotIn(clientSecret, smtpPassword);
    }

    private void AssertNotIn(params string[] secrets)
    {
        var stored = _temp.StoredBytes();

        // The rows are there (the OIDC authority is stored as it is), their secrets are not.
        Assert.Contains(stored, bytes => bytes.AsSpan().IndexOf("https://login.example.test"u8) >= 0);
        foreach (var bytes in stored)
        {
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, "the stored database holds a plaintext secret");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(secret)) < 0, "the stored database holds a plaintext secret (UTF-16)");
            }
        }
    }
}
