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
    public async Task DatabaseFiles_AfterSavingEachSecret_DoNotHoldThePlaintext()
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
        var files = Directory.GetFiles(_temp.Path, "secretadmin.db*");
        Assert.Contains(files, f => f.EndsWith(".db", StringComparison.Ordinal));
        foreach (var file in files)
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var copy = new MemoryStream())
            {
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }

            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{Path.GetFileName(file)} holds a plaintext secret");
                Assert.True(bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(secret)) < 0, $"{Path.GetFileName(file)} holds a plaintext secret (UTF-16)");
            }
        }
    }
}
