using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// Many users with a sealed TOTP secret, written straight into the real SQLite file in one
/// transaction (creating them through Identity would take minutes). Each secret is
/// "totp-secret-{n}", sealed for its own row.
/// </summary>
public static class SealedUserSeeder
{
    public static string SecretOf(int n) => $"totp-secret-{n:D6}";

    public static string IdOf(int n) => $"seeded-user-{n:D6}";

    /// <param name="plaintext">Store the secrets unsealed, as a database from before sealing would.</param>
    public static async Task SeedAsync(IServiceProvider services, int count, bool plaintext = false)
    {
        var sealer = services.GetRequiredService<SecretSealer>();
        await using var db = await services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var column = SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret));

        // Sealed before the transaction, as the app seals: a seal may reserve its count in the database.
        var secrets = Enumerable.Range(0, count).Select(n => plaintext ? SecretOf(n) : sealer.Seal(SecretOf(n), column.At(IdOf(n)))).ToArray();
        await using var transaction = await db.BeginWriteLockedTransactionAsync(CancellationToken.None);
        await using var insert = db.Database.GetDbConnection().CreateCommand();
        insert.Transaction = transaction.GetDbTransaction();
        insert.CommandText = """
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "MustChangePassword", "CreatedAtUtc",
                "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount",
                "TotpSecret", "TotpDigits", "TotpPeriodSeconds", "TotpAlgorithm")
            VALUES (@id, @email, upper(@email), @email, upper(@email), FALSE, '2026-11-23 00:00:00', TRUE, FALSE, TRUE, TRUE, 0, @secret, 6, 30, 0)
            """;
        var id = insert.AddParameter("@id");
        var email = insert.AddParameter("@email");
        var secret = insert.AddParameter("@secret");
        for (var n = 0; n < count; n++)
        {
            id.Value = IdOf(n);
            email.Value = $"seeded{n:D6}@example.test";
            secret.Value = secrets[n];
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>Every seeded secret, opened with <paramref name="sealer"/>, in seed order.</summary>
    public static async Task<IReadOnlyList<SecretRead>> OpenAllAsync(IServiceProvider services, SecretSealer sealer)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
        var column = SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret));
        var rows = await db.Users.AsNoTracking().Where(u => u.Id.StartsWith("seeded-user-")).OrderBy(u => u.Id).Select(u => new { u.Id, u.TotpSecret }).ToListAsync();
        return [.. rows.Select(r => sealer.Open(r.TotpSecret, column.At(r.Id)))];
    }
}
