using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SecretAdmin.Commands;
using SecretAdmin.Features.Audit;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// <c>SecretAdmin keys list|rotate|reseal|retire|verify</c> and <c>SecretAdmin secrets import-plaintext</c>:
/// the key lifecycle from the command line, audited with actor <c>cli</c>. Nothing here prints a
/// stored value; <c>rotate --show</c> prints the new key ring, and only when asked.
/// </summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "List, rotate, re-seal, retire and verify the sealing keys.")
    {
        ListCommand(),
        RotateCommand(),
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
        var list = new Command("list", "Key ids, when each was created, which is active, and how many stored values each seals.");
        list.SetAction((_, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var keys = await services.GetRequiredService<KeyLifecycleService>().ListAsync(ct);
            Console.WriteLine($"{"key",-5} {"created (UTC)",-20} {"state",-10} values");
            foreach (var key in keys)
            {
                var created = key.CreatedUtc?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";
                var state = key.Active ? "active" : key.InKeyRing ? "" : "MISSING";
                Console.WriteLine($"{key.Id,-5} {created,-20} {state,-10} {key.SealedValues}");
            }

            return keys.Any(k => !k.InKeyRing) ? 1 : 0;
        }, cancellationToken));
        return list;
    }

    private static Command RotateCommand()
    {
        var show = new Option<bool>("--show") { Description = "Print the new key ring (only needed when it comes from the environment). It is key material: never into a log." };
        var rotate = new Command("rotate", "Add a key and make it active; new seals use it at once.") { show };
        rotate.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var result = await services.GetRequiredService<KeyLifecycleService>().RotateAsync(AuditActor.Cli, ct);
            if (result.WrittenToFile)
            {
                Console.WriteLine($"Key {result.NewKeyId} is active. Back up the key ring file now, then run `SecretAdmin keys reseal`.");
            }
            else if (parse.GetValue(show))
            {
                Console.WriteLine(result.KeyRingJson);
                await Console.Error.WriteLineAsync($"Key {result.NewKeyId} is in the key ring above. Set {Security.SealingOptions.KeyRingVariable} to it, restart, then run `SecretAdmin keys reseal`.");
            }
            else
            {
                await Console.Error.WriteLineAsync(
                    $"The key ring comes from {Security.SealingOptions.KeyRingVariable}, so nothing was changed. " +
                    "Run `SecretAdmin keys rotate --show` to print a rotated key ring to put there.");
                return 1;
            }

            return 0;
        }, cancellationToken));
        return rotate;
    }

    private static Command ResealCommand()
    {
        var batch = new Option<int>("--batch") { Description = "Values per transaction.", DefaultValueFactory = _ => KeyLifecycleService.DefaultBatchSize };
        var reseal = new Command("reseal", "Re-seal every stored value that is not under the active key; safe to stop and run again.") { batch };
        reseal.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            if (parse.GetValue(batch) < 1)
            {
                await Console.Error.WriteLineAsync("--batch must be 1 or more.");
                return 1;
            }

            var result = await services.GetRequiredService<KeyLifecycleService>().ResealAsync(AuditActor.Cli, parse.GetValue(batch), new ConsoleProgress("re-sealed"), ct);
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
        var id = new Argument<int>("id") { Description = "The key id to remove from the key ring." };
        var retire = new Command("retire", "Remove a key that no stored value uses any more.") { id };
        retire.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var result = await services.GetRequiredService<KeyLifecycleService>().RetireAsync(AuditActor.Cli, parse.GetValue(id), ct);
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
            var report = await services.GetRequiredService<KeyLifecycleService>().VerifyAsync(AuditActor.Cli, ct);
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
        }, cancellationToken));
        return verify;
    }

    private static Command ImportPlaintextCommand()
    {
        var batch = new Option<int>("--batch") { Description = "Values per transaction.", DefaultValueFactory = _ => KeyLifecycleService.DefaultBatchSize };
        var import = new Command("import-plaintext", "Seal values stored in plaintext (from before sealing) in place; safe to stop and run again.") { batch };
        import.SetAction((parse, cancellationToken) => CommandHost.RunAsync(async (services, ct) =>
        {
            var result = await services.GetRequiredService<KeyLifecycleService>().ImportPlaintextAsync(AuditActor.Cli, Math.Max(1, parse.GetValue(batch)), new ConsoleProgress("sealed"), ct);
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

    private static string StateName(SealedValueState state) => state switch
    {
        SealedValueState.Opens => "opens",
        SealedValueState.KeyMissing => "key-missing",
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
