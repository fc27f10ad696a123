using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>
/// A data folder holding a database of many users, each with a sealed TOTP secret (base32 of 20
/// random bytes, as enrollment stores it), and the master key that wraps the data key that sealed them. Rows are written
/// straight into the SQLite file, 10,000 per transaction, each sealed before its transaction as the app seals.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SealedUserDatabase
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string IdOf(int n) => $"seeded-user-{n:D7}";

    public static async Task CreateAsync(string folder, int rows)
    {
        var host = await BenchmarkHost.StartAsync(folder);
        try
        {
            var sealer = host.Services.GetRequiredService<SecretSealer>();
            await using var db = await host.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
            var column = SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret));
            await db.Database.OpenConnectionAsync();
            var connection = (SqliteConnection)db.Database.GetDbConnection();

            // Sealed before each transaction, as the app seals: a seal may reserve its count in the database.
            const int Chunk = 10_000;
            for (var first = 0; first < rows; first += Chunk)
            {
                var secrets = Enumerable.Range(first, Math.Min(Chunk, rows - first))
                    .Select(n => sealer.Seal(OtpNet.Base32Encoding.ToString(RandomNumberGenerator.GetBytes(20)), column.At(IdOf(n))))
                    .ToArray();
                await using var transaction = connection.BeginTransaction(deferred: false);
                await using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "MustChangePassword", "CreatedAtUtc",
                        "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount",
                        "TotpSecret", "TotpDigits", "TotpPeriodSeconds", "TotpAlgorithm")
                    VALUES ($id, $email, upper($email), $email, upper($email), 0, '2026-11-23 00:00:00', 1, 0, 1, 1, 0, $secret, 6, 30, 0)
                    """;
                var id = insert.Parameters.Add("$id", SqliteType.Text);
                var email = insert.Parameters.Add("$email", SqliteType.Text);
                var secret = insert.Parameters.Add("$secret", SqliteType.Text);
                for (var i = 0; i < secrets.Length; i++)
                {
                    id.Value = IdOf(first + i);
                    email.Value = $"seeded{first + i:D7}@example.test";
                    secret.Value = secrets[i];
                    await insert.ExecuteNonQueryAsync();
                }

                await transaction.CommitAsync();
            }

            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }
        finally
        {
            BenchmarkHost.Stop(host);
        }
    }

    /// <summary>Copies a data folder (database, its WAL files, master key) with the owner-only modes start-up insists on.</summary>
    public static void Copy(string from, string to)
    {
        var source = new DataDirectory(from);
        var target = new DataDirectory(to);
        Directory.CreateDirectory(target.Path, OwnerOnlyFolder);
        Directory.CreateDirectory(target.KeyRingFolder, OwnerOnlyFolder);
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(source.DatabaseFile + suffix))
            {
                File.Copy(source.DatabaseFile + suffix, target.DatabaseFile + suffix);
                FlushToDisk(target.DatabaseFile + suffix);
            }
        }

        File.Copy(source.MasterKeyFile, target.MasterKeyFile);
        File.SetUnixFileMode(target.MasterKeyFile, OwnerOnlyFile);
    }

    /// <summary>Writes the copy out now, so the kernel is not still writing it back while a run is timed.</summary>
    private static void FlushToDisk(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }
}
