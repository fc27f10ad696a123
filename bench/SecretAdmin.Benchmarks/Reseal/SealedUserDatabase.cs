using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using SecretAdmin.Data;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;
using SecretAdmin.Features.Mfa.Totp;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>
/// A data folder holding a database of many users, each with a sealed TOTP secret (base32 of 20
/// random bytes, as enrollment stores it), and the master key that wraps the data key that sealed them. Rows are written
/// straight into the database, 10,000 per transaction (SQLite: one INSERT per row; PostgreSQL: one binary COPY),
/// each sealed before its transaction as the app seals. On PostgreSQL the database is the one the
/// <see cref="BenchDatabase"/> names, and the data folder holds the master key file alone.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SealedUserDatabase
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string IdOf(int n) => $"seeded-user-{n:D7}";

    public static async Task CreateAsync(string folder, int rows, BenchDatabase database)
    {
        var host = await BenchmarkHost.StartAsync(folder, database);
        try
        {
            var sealer = host.Services.GetRequiredService<SecretSealer>();
            await using var db = await host.Services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>().CreateDbContextAsync();
            var column = SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret));
            await db.Database.OpenConnectionAsync();
            var connection = db.Database.GetDbConnection();

            // Sealed before each transaction, as the app seals: a seal may reserve its count in the database.
            const int Chunk = 10_000;
            for (var first = 0; first < rows; first += Chunk)
            {
                var secrets = Enumerable.Range(first, Math.Min(Chunk, rows - first))
                    .Select(n => sealer.Seal(OtpNet.Base32Encoding.ToString(RandomNumberGenerator.GetBytes(20)), column.At(IdOf(n))))
                    .ToArray();
                await (connection switch
                {
                    SqliteConnection sqlite => InsertAsync(sqlite, first, secrets),
                    NpgsqlConnection postgres => CopyAsync(postgres, first, secrets),
                    _ => throw new InvalidOperationException($"P2 cannot seed a {connection.GetType().Name} database."),
                });
            }

            await using var settle = connection.CreateCommand();
            // SQLite: the WAL folded into the database file, so a copy of the file is the whole database.
            // PostgreSQL: the visibility map and statistics as autovacuum would leave them, so each copy starts settled.
            settle.CommandText = database.IsPostgres ? "VACUUM (ANALYZE)" : "PRAGMA wal_checkpoint(TRUNCATE);";
            settle.CommandTimeout = 600;
            await settle.ExecuteNonQueryAsync();
        }
        finally
        {
            BenchmarkHost.Stop(host);
        }
    }

    private static async Task InsertAsync(SqliteConnection connection, int first, string[] secrets)
    {
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
            email.Value = EmailOf(first + i);
            secret.Value = secrets[i];
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    /// <summary>The same rows as <see cref="InsertAsync"/>, through PostgreSQL's binary COPY (one statement, one transaction).</summary>
    private static async Task CopyAsync(NpgsqlConnection connection, int first, string[] secrets)
    {
        var createdAt = new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);
        await using var import = await connection.BeginBinaryImportAsync("""
            COPY "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "MustChangePassword", "CreatedAtUtc",
                "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount",
                "TotpSecret", "TotpDigits", "TotpPeriodSeconds", "TotpAlgorithm") FROM STDIN (FORMAT BINARY)
            """);
        for (var i = 0; i < secrets.Length; i++)
        {
            var email = EmailOf(first + i);
            await import.StartRowAsync();
            await import.WriteAsync(IdOf(first + i), NpgsqlDbType.Text);
            await import.WriteAsync(email, NpgsqlDbType.Varchar);
            await import.WriteAsync(email.ToUpperInvariant(), NpgsqlDbType.Varchar);
            await import.WriteAsync(email, NpgsqlDbType.Varchar);
            await import.WriteAsync(email.ToUpperInvariant(), NpgsqlDbType.Varchar);
            await import.WriteAsync(false, NpgsqlDbType.Boolean);
            await import.WriteAsync(createdAt, NpgsqlDbType.TimestampTz);
            await import.WriteAsync(true, NpgsqlDbType.Boolean);
            await import.WriteAsync(false, NpgsqlDbType.Boolean);
            await import.WriteAsync(true, NpgsqlDbType.Boolean);
            await import.WriteAsync(true, NpgsqlDbType.Boolean);
            await import.WriteAsync(0, NpgsqlDbType.Integer);
            await import.WriteAsync(secrets[i], NpgsqlDbType.Text);
            await import.WriteAsync(6, NpgsqlDbType.Integer);
            await import.WriteAsync(30, NpgsqlDbType.Integer);
            await import.WriteAsync("Sha1", NpgsqlDbType.Varchar);
        }

        await import.CompleteAsync();
    }

    private static string EmailOf(int n) => $"seeded{n:D7}@example.test";

    /// <summary>
    /// Copies a data folder (the SQLite database and its WAL files where it has them, the master key) with the
    /// owner-only modes start-up insists on. On PostgreSQL that is the master key alone: what another node needs.
    /// </summary>
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
