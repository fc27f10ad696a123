using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SecretAdmin.Commands;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Audit;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// <c>SecretAdmin keys list|rotate|rotate-master|reseal|retire|verify</c> and <c>SecretAdmin secrets import-plaintext</c>:
/// the key lifecycle from the command line, audited with actor <c>cli</c>. Nothing here prints a
/// stored value or key material.
/// </summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "List, rotate, re-seal, retire and verify the sealing keys.")
    {
        ListCommand(),
        RotateCommand(),
        RotateMasterCommand(),
        ResealCommand(),
        RetireCommand(),
        VerifyCommand(),
    };

    public static Command CreateSecrets() => new("secrets", "Work on the stored secrets themselves.")
    {
        ImportPlaintextCommand(),
    };

    private static Command ListCommand()
    {
        var list = new Command("list", "The master key, and each data key: when it was created, which is active, how many stored values it seals and how many seals it has made.");
        list.SetAction((_, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var custody = services.GetRequiredService<KeyCustody>();
            var limit = services.GetRequiredService<IOptions<SealingOptions>>().Value.SealsPerDataKey;
            var keys = await custody.ListAsync(ct);
            Console.WriteLine($"master key {custody.MasterKey.Id} from {custody.MasterKey.Source}");
            Console.WriteLine($"{"key",-5} {"created (UTC)",-20} {"state",-10} {"values",-8} seals (of {limit})");
            foreach (var key in keys)
            {
                var created = key.CreatedUtc?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";
                var state = key.Active ? "active" : key.InDatabase ? "" : "MISSING";
                Console.WriteLine($"{key.Id,-5} {created,-20} {state,-10} {key.SealedValues,-8} {key.Seals}");
            }

            return keys.Any(k => !k.InDatabase) ? 1 : 0;
        }, cancellationToken));
        return list;
    }

    private static Command RotateCommand()
    {
        var rotate = new Command("rotate", "Add a data key and make it active; new seals use it at once, in every running instance.");
        rotate.SetAction((_, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var result = await services.GetRequiredService<KeyCustody>().RotateAsync(AuditActor.Cli, ct);
            Console.WriteLine($"Data key {result.NewKeyId} is active. Run `SecretAdmin keys reseal` to move the stored values to it.");
            return 0;
        }, cancellationToken));
        return rotate;
    }

    private static Command RotateMasterCommand()
    {
        var to = new Option<string?>("--to") { Description = "pkcs11: move the master key into the PKCS#11 token of the Pkcs11 settings." };
        to.AcceptOnlyFromAmong("pkcs11");
        var rotate = new Command(
            "rotate-master",
            $"Wrap every data key and session key under a new master key, in one transaction; no sealed value is touched. " +
            $"From a file: a new file takes the old one's place. From the environment: give the new key in {MasterKeyOptions.NextValueVariable}. " +
            "On a PKCS#11 token: a new key is generated on it and the old one destroyed.")
        {
            to,
        };
        rotate.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            try
            {
                var target = parse.GetValue(to) is { } name ? MasterKeySourceKind.Pkcs11 : (MasterKeySourceKind?)null;
                var result = await services.GetRequiredService<KeyCustody>().RotateMasterAsync(AuditActor.Cli, target, ct);
                Console.WriteLine($"Master key {result.NewId} wraps {result.Rewrapped} key(s) now; master key {result.PreviousId} opens nothing any more.");
                Console.WriteLine(result.Source switch
                {
                    MasterKeySourceKind.Environment => $"Set {MasterKeyOptions.ValueVariable} to the new key (the value of {MasterKeyOptions.NextValueVariable}) in every instance and restart them; remove {MasterKeyOptions.NextValueVariable}.",
                    MasterKeySourceKind.Pkcs11 when target is not null => $"The new key is on the token. Set {MasterKeyOptions.Section.Replace(":", "__", StringComparison.Ordinal)}__Source=pkcs11 in every instance and restart them; then delete the old master key and its backups once no database backup needs them.",
                    MasterKeySourceKind.Pkcs11 => "The new key is on the token; back the token up as your HSM's documentation says.",
                    _ => "Back up the master key file now, apart from the database; older backups of it open only database backups made before now.",
                });
                return 0;
            }
            catch (MasterKeyUnavailableException e)
            {
                await Console.Error.WriteLineAsync($"Nothing was changed: {e.Message}.");
                return 1;
            }
        }, cancellationToken));
        return rotate;
    }

    private static Command ResealCommand()
    {
        var batch = new Option<int>("--batch") { Description = "Values per transaction.", DefaultValueFactory = _ => SealedValueService.DefaultBatchSize };
        var reseal = new Command("reseal", "Re-seal every stored value that is not under the active key; safe to stop and run again.") { batch };
        reseal.SetAction((parse, cancellationToken) => RunSealingAsync(async (services, runLock, ct) =>
        {
            if (parse.GetValue(batch) < 1)
            {
                await Console.Error.WriteLineAsync("--batch must be 1 or more.");
                return 1;
            }

            var keys = services.GetRequiredService<SealedValueService>();
            var result = runLock is not null
                ? await keys.ResealAsync(runLock, AuditActor.Cli, parse.GetValue(batch), new ConsoleProgress("re-sealed"), ct)
                : await keys.ResealAsync(AuditActor.Cli, parse.GetValue(batch), new ConsoleProgress("re-sealed"), ct);

            Console.WriteLine($"Re-sealed {result.Done} of {result.Total} value(s).");
            if (result.Unreadable > 0)
            {
                await Console.Error.WriteLineAsync($"{result.Unreadable} value(s) cannot be opened and were left as they are; `SecretAdmin keys verify` shows where.");
                return 1;
            }

            return 0;
        }, cancellationToken));
        return reseal;
    }

    private static Command RetireCommand()
    {
        var id = new Argument<int>("id") { Description = "The data key id to remove from the database." };
        var retire = new Command("retire", "Remove a key that no stored value uses any more.") { id };
        retire.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var result = await services.GetRequiredService<KeyCustody>().RetireAsync(AuditActor.Cli, parse.GetValue(id), ct);
            await (result.Succeeded ? Console.Out : Console.Error).WriteLineAsync(result.Message);
            return result.Succeeded ? 0 : 1;
        }, cancellationToken));
        return retire;
    }

    private static Command VerifyCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var verify = new Command("verify", "Open every stored value and count them per table, column, key and state; exit code 0 only when all open.") { json };
        verify.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var report = await services.GetRequiredService<SealedValueService>().VerifyAsync(AuditActor.Cli, ct);
            if (services.GetRequiredService<SecretSealer>().Unavailable is { } unavailable)
            {
                await Console.Error.WriteLineAsync($"No stored value can be opened: {unavailable}.");
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    allOpen = report.AllOpen,
                    entries = report.Entries.Select(e => new { table = e.Table, column = e.Column, keyId = e.KeyId, state = StateName(e.State), count = e.Count }),
                }, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Console.WriteLine($"{"table",-14} {"column",-14} {"key",-5} {"state",-14} count");
                foreach (var entry in report.Entries)
                {
                    Console.WriteLine($"{entry.Table,-14} {entry.Column,-14} {entry.KeyId?.ToString(CultureInfo.InvariantCulture) ?? "—",-5} {StateName(entry.State),-14} {entry.Count}");
                }

                Console.WriteLine(report.AllOpen ? "Every stored value opens." : "Some stored values do not open (see above).");
            }

            return report.AllOpen ? 0 : 1;
        }, withoutKeys: true, cancellationToken));
        return verify;
    }

    private static Command ImportPlaintextCommand()
    {
        var batch = new Option<int>("--batch") { Description = "Values per transaction.", DefaultValueFactory = _ => SealedValueService.DefaultBatchSize };
        var import = new Command("import-plaintext", "Seal values stored in plaintext (from before sealing) in place; safe to stop and run again.") { batch };
        import.SetAction((parse, cancellationToken) => RunSealingAsync(async (services, runLock, ct) =>
        {
            var keys = services.GetRequiredService<SealedValueService>();
            var result = runLock is not null
                ? await keys.ImportPlaintextAsync(runLock, AuditActor.Cli, Math.Max(1, parse.GetValue(batch)), new ConsoleProgress("sealed"), ct)
                : await keys.ImportPlaintextAsync(AuditActor.Cli, Math.Max(1, parse.GetValue(batch)), new ConsoleProgress("sealed"), ct);

            Console.WriteLine($"Sealed {result.Done} plaintext value(s).");
            if (result.Unreadable > 0)
            {
                await Console.Error.WriteLineAsync($"{result.Unreadable} value(s) look like damaged envelopes and were left as they are; `SecretAdmin keys verify` shows where.");
                return 1;
            }

            return 0;
        }, cancellationToken));
        return import;
    }

    /// <summary>
    /// Runs a re-seal or import with the run lock taken before the start-up: on SQLite the start-up
    /// writes, and would wait behind a running re-seal's batches until it ended, instead of being
    /// refused at once. When the lock cannot even be tried (the database is unreachable), the start-up
    /// says what is wrong, and the run takes the lock itself after it.
    /// </summary>
    private static async Task<int> RunSealingAsync(Func<IServiceProvider, SealingRunLock?, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
    {
        SealingRunLock? runLock = null;
        try
        {
            return await CommandHost.RunAsync(
                first: async (services, ct) =>
                {
                    try
                    {
                        runLock = await services.GetRequiredService<SealedValueService>().TryLockRunAsync(ct);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        return null;
                    }

                    return runLock is null ? await RefuseAsync() : null;
                },
                command: async (services, ct) =>
                {
                    try
                    {
                        return await run(services, runLock, ct);
                    }
                    catch (SealingRunRefusedException)
                    {
                        return await RefuseAsync();
                    }
                },
                cancellationToken: cancellationToken);
        }
        finally
        {
            if (runLock is not null)
            {
                await runLock.DisposeAsync();
            }
        }

        static async Task<int> RefuseAsync()
        {
            await Console.Error.WriteLineAsync(SealingRunRefusedException.Text);
            return 1;
        }
    }

    private static string StateName(SealedValueState state) => state switch
    {
        SealedValueState.Opens => "opens",
        SealedValueState.KeyMissing => "key-missing",
        SealedValueState.MasterKeyUnavailable => "master-key-unavailable",
        SealedValueState.DoesNotOpen => "does-not-open",
        SealedValueState.Plaintext => "plaintext",
        _ => state.ToString(),
    };

    /// <summary>Progress on standard error, at most a line a second, so standard output keeps only the result.</summary>
    private sealed class ConsoleProgress(string verb) : IProgress<SealingProgress>
    {
        private DateTime _last = DateTime.MinValue;

        public void Report(SealingProgress value)
        {
            if (DateTime.UtcNow - _last < TimeSpan.FromSeconds(1) && value.Done + value.Unreadable < value.Total)
            {
                return;
            }

            _last = DateTime.UtcNow;
            Console.Error.WriteLine($"{verb} {value.Done}/{value.Total} ({value.Percent:0}%), {value.PerSecond:0} per second");
        }
    }
}
