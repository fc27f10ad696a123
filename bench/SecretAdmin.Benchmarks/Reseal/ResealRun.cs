using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecretAdmin.Benchmarks.Postgres;
using SecretAdmin.Data;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Keys;
using SecretAdmin.Features.Users;
using SecretAdmin.Security;

namespace SecretAdmin.Benchmarks.Reseal;

/// <summary>
/// One timed run in a process of its own (<c>p2-run</c>): copy the seeded folder (and on PostgreSQL
/// the seeded database, <c>CREATE DATABASE … TEMPLATE</c>), start the services as the command line
/// does, rotate, then time one side and print what it measured.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class ResealRun
{
    public const string ResultPrefix = "P2-RESULT ";

    /// <param name="postgresTemplate">The seeded PostgreSQL database to copy, on the server in <see cref="PostgresServer.Variable"/>; null on SQLite.</param>
    public static async Task<int> RunAsync(string side, string seededFolder, int rows, int batchSize, string runFolder, string? postgresTemplate)
    {
        SealedUserDatabase.Copy(seededFolder, runFolder);
        await using var server = postgresTemplate is null ? null : PostgresServer.FromEnvironment();
        var runDatabase = $"secretadmin_bench_run_{Guid.NewGuid():N}";
        var database = BenchDatabase.Sqlite;
        if (server is not null)
        {
            await server.CreateDatabaseAsync(runDatabase, postgresTemplate);
            // The copy written out now, so no checkpoint of it falls into the timed run (as the SQLite copy is flushed).
            await server.ExecuteAsync("CHECKPOINT");
            database = BenchDatabase.Postgres(server.ConnectionStringFor(runDatabase));
        }

        var host = await BenchmarkHost.StartAsync(runFolder, database);
        try
        {
            var services = host.Services;
            var keys = services.GetRequiredService<SealedValueService>();
            var rotation = await services.GetRequiredService<KeyCustody>().RotateAsync(AuditActor.Cli);
            var dbContextFactory = services.GetRequiredService<IDbContextFactory<SecretAdminDbContext>>();

            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var residentBefore = ProcessMemory.Resident();
            ProcessMemory.ResetPeak();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var loadBefore = ProcessMemory.LoadAverage();
            using var heap = new ManagedHeapSampler();

            var clock = Stopwatch.StartNew();
            var halfway = TimeSpan.Zero;
            void AfterBatch(long done)
            {
                if (halfway == TimeSpan.Zero && done * 2 >= rows)
                {
                    halfway = clock.Elapsed;
                }
            }

            var rewritten = side switch
            {
                ResealSide.Reseal => (await keys.ResealAsync(AuditActor.Cli, batchSize, new BatchProgress(AfterBatch))).Done,
                ResealSide.Baseline => await NoCryptoRewrite.RunAsync(
                    dbContextFactory, services.GetRequiredService<AuditLog>(), services.GetRequiredService<TimeProvider>(), rotation.NewKeyId, batchSize, AfterBatch),
                _ => throw new ArgumentException($"unknown side {side}", nameof(side)),
            };
            clock.Stop();

            var result = new ResealRunResult(
                side, rows, rewritten, clock.Elapsed.TotalSeconds, (clock.Elapsed - halfway).TotalSeconds,
                residentBefore, ProcessMemory.PeakResident(), heap.Stop(), GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
                System.Runtime.GCSettings.IsServerGC, loadBefore, ProcessMemory.LoadAverage());
            await CheckAsync(dbContextFactory, services.GetRequiredService<SecretSealer>(), rows, rotation.NewKeyId, result);
            Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
            return 0;
        }
        finally
        {
            BenchmarkHost.Stop(host);
            Directory.Delete(runFolder, recursive: true);
            if (server is not null)
            {
                await server.DropDatabaseAsync(runDatabase);
            }
        }
    }

    /// <summary>Every side must have rewritten every row to the new key id; every re-sealed value must open (untimed).</summary>
    private static async Task CheckAsync(IDbContextFactory<SecretAdminDbContext> dbContextFactory, SecretSealer sealer, int rows, int newKeyId, ResealRunResult result)
    {
        if (result.Rewritten != rows)
        {
            throw new InvalidOperationException($"{result.Side} rewrote {result.Rewritten} of {rows} rows.");
        }

        await using var db = await dbContextFactory.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"AspNetUsers\" WHERE \"TotpSecret\" LIKE '{Envelope.Prefix}{newKeyId}:%'";
        var underNewKey = (long)(await command.ExecuteScalarAsync())!;
        if (underNewKey != rows)
        {
            throw new InvalidOperationException($"after {result.Side}, {underNewKey} of {rows} rows are under key {newKeyId}.");
        }

        if (result.Side == ResealSide.Baseline)
        {
            return; // Its values only look re-sealed.
        }

        var column = SealedColumn.For<SecretAdminUser>(db.Model, nameof(SecretAdminUser.TotpSecret));
        command.CommandText = "SELECT \"Id\", \"TotpSecret\" FROM \"AspNetUsers\"";
        await using var reader = await command.ExecuteReaderAsync();
        var opened = 0;
        while (await reader.ReadAsync())
        {
            opened += sealer.Open(reader.GetString(1), column.At(reader.GetString(0))) is SecretRead.PresentSecret { KeyId: var keyId } && keyId == newKeyId ? 1 : 0;
        }

        if (opened != rows)
        {
            throw new InvalidOperationException($"after {result.Side}, {opened} of {rows} values open under key {newKeyId}.");
        }
    }
}
