using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using SecretAdmin.Features.Keys;

namespace SecretAdmin.Benchmarks.MasterKey;

/// <summary>
/// Debian's SoftHSM2 with a configuration and token folder of its own under a temp folder, its tokens
/// made with <c>softhsm2-util</c> as an operator makes them (and as tests/SecretAdmin.Tests' <c>SoftHsm</c>
/// does). SoftHSM2 reads <c>SOFTHSM2_CONF</c> once, when this process first loads the module, and sees
/// only the tokens that exist then: so the variable is set in the native environment (libc's
/// <c>setenv</c>) and every token is made here, before the app's services load the module.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class ThrowAwaySoftHsm : IDisposable
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";

    private readonly string _folder;

    private ThrowAwaySoftHsm(string folder, IReadOnlyDictionary<string, Pkcs11MasterKeyOptions> tokens)
    {
        _folder = folder;
        Tokens = tokens;
    }

    /// <summary>Each token's settings for SecretAdmin (module, label, PIN), by label.</summary>
    public IReadOnlyDictionary<string, Pkcs11MasterKeyOptions> Tokens { get; }

    /// <summary>Installs softhsm2 with apt-get when it is missing, then makes one token per label; once per process.</summary>
    public static async Task<ThrowAwaySoftHsm> CreateAsync(IEnumerable<string> labels)
    {
        if (!IsInstalled())
        {
            Console.WriteLine("P5: SoftHSM2 is not installed; installing it: apt-get install -y softhsm2");
            if (await Command.TryRunAsync("apt-get", ["install", "-y", "softhsm2"]) is not (0, _))
            {
                await Command.TryRunAsync("apt-get", ["update"]);
                await Command.TryRunAsync("apt-get", ["install", "-y", "softhsm2"]);
            }

            if (!IsInstalled())
            {
                throw new InvalidOperationException($"P5 needs SoftHSM2 ({ModulePath} and softhsm2-util); install it (as root: apt-get update && apt-get install -y softhsm2) and run again.");
            }
        }

        var folder = Directory.CreateTempSubdirectory("secretadmin-p5-softhsm-").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "tokens"));
        var config = Path.Combine(folder, "softhsm2.conf");
        await File.WriteAllTextAsync(config, $"directories.tokendir = {folder}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n");
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        if (setenv("SOFTHSM2_CONF", config, 1) != 0)
        {
            throw new InvalidOperationException($"setenv SOFTHSM2_CONF failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        var tokens = new Dictionary<string, Pkcs11MasterKeyOptions>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            var pin = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            var soPin = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            if (await Command.TryRunAsync("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", soPin]) is (not 0, var output))
            {
                throw new InvalidOperationException($"softhsm2-util --init-token failed: {output}");
            }

            tokens[label] = new Pkcs11MasterKeyOptions { Module = ModulePath, TokenLabel = label, Pin = pin };
        }

        return new ThrowAwaySoftHsm(folder, tokens);
    }

    /// <summary>The app's settings that put the master key on <paramref name="label"/>'s token: as a target of <c>rotate-master --to pkcs11</c>, or as the source.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings(string label, bool asSource)
    {
        var token = Tokens[label];
        var section = Pkcs11MasterKeyOptions.Section;
        return
        [
            new($"{section}:{nameof(Pkcs11MasterKeyOptions.Module)}", token.Module),
            new($"{section}:{nameof(Pkcs11MasterKeyOptions.TokenLabel)}", token.TokenLabel),
            new($"{section}:{nameof(Pkcs11MasterKeyOptions.Pin)}", token.Pin),
            .. asSource ? [new KeyValuePair<string, string?>($"{MasterKeyOptions.Section}:{nameof(MasterKeyOptions.Source)}", "pkcs11")] : Array.Empty<KeyValuePair<string, string?>>(),
        ];
    }

    /// <summary>Removes the tokens and the configuration (the module stays loaded until the process ends).</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing the run for.
        }
    }

    private static bool IsInstalled() =>
        File.Exists(ModulePath) && (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, "softhsm2-util")));

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
