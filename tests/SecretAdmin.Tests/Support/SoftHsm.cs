using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SecretAdmin.Tests.Support;

/// <summary>
/// The one SoftHSM2 set-up every test of this process shares: a temp folder with its own
/// <c>softhsm2.conf</c> and token folder, and a supply of throw-away tokens initialised in it.
/// </summary>
/// <remarks>
/// Two facts of SoftHSM2 2.6 shape this, both found by trying:
/// <list type="bullet">
/// <item>The library reads <c>SOFTHSM2_CONF</c> once, at C_Initialize, from the native process
/// environment — and the library is loaded once per process. <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach the native environment on Unix, so the variable is set with libc's <c>setenv</c>
/// as well, before any test loads the module.</item>
/// <item>A process sees only the tokens that existed at its C_Initialize: one initialised later by
/// <c>softhsm2-util</c> stays invisible to it (its slot list does not change). So every token the
/// tests use is initialised here, before the module is first loaded, and handed out one per test.
/// A test must reach <see cref="Module"/> or <see cref="SoftHsmToken.Create"/> before it calls the
/// product with the module, which is why <see cref="Module"/> lives here. (C_InitToken through the
/// loaded library does make a token the running process sees — SoftHSM2 then offers a new free
/// slot — but these tokens are made the way an operator makes them, with softhsm2-util.)</item>
/// </list>
/// A child process (the app started by a test) given <see cref="ConfigPath"/> as
/// <c>SOFTHSM2_CONF</c> sees every token present when it starts.
/// </remarks>
public static class SoftHsm
{
    /// <summary>Where Debian's <c>softhsm2</c> package puts the PKCS#11 library.</summary>
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";

    /// <summary>Tokens initialised up front; enough for this suite with room to grow.</summary>
    public const int TokenSupply = 48;

    private static readonly Lazy<IReadOnlyList<SoftHsmToken>> Tokens = new(Initialise);
    private static string? _configPath;
    private static int _claimed;

    /// <summary>The SoftHSM2 module path, once the shared configuration and tokens are in place.</summary>
    public static string Module
    {
        get
        {
            _ = Tokens.Value;
            return ModulePath;
        }
    }

    /// <summary>The <c>softhsm2.conf</c> this process uses; give it to a child process as <c>SOFTHSM2_CONF</c>.</summary>
    public static string ConfigPath
    {
        get
        {
            _ = Tokens.Value;
            return _configPath!;
        }
    }

    /// <summary>A token initialised before the module was loaded, not handed out before.</summary>
    internal static SoftHsmToken Claim()
    {
        var tokens = Tokens.Value;
        var index = Interlocked.Increment(ref _claimed) - 1;
        if (index >= tokens.Count)
        {
            throw new InvalidOperationException(
                $"All {TokenSupply} SoftHSM2 test tokens are in use; raise {nameof(SoftHsm)}.{nameof(TokenSupply)} (tokens must exist before the module is loaded, so none can be added later).");
        }

        return tokens[index];
    }

    /// <summary>Runs <c>softhsm2-util</c> with the configuration <paramref name="configPath"/>; throws with its output when it fails.</summary>
    internal static string Util(string configPath, params string[] arguments)
    {
        var start = new ProcessStartInfo("softhsm2-util") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SOFTHSM2_CONF"] = configPath;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util {arguments[0]} failed ({process.ExitCode}): {output} {error.Result}");
        }

        return output;
    }

    private static IReadOnlyList<SoftHsmToken> Initialise()
    {
        if (!File.Exists(ModulePath) || !OnPath("softhsm2-util"))
        {
            throw new InvalidOperationException(
                $"SoftHSM2 is not installed ({ModulePath} or softhsm2-util is missing); the PKCS#11 tests need it. Install it (as root: apt-get install -y softhsm2) or run tests/run.sh, which does.");
        }

        var parent = Path.Combine(Path.GetTempPath(), "secretadmin-tests");
        RemoveStaleFolders(parent);
        var folder = Path.Combine(parent, "softhsm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "tokens"));
        var config = Path.Combine(folder, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {folder}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n");
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        if (setenv("SOFTHSM2_CONF", config, 1) != 0)
        {
            throw new InvalidOperationException($"setenv SOFTHSM2_CONF failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        };
        _configPath = config;
        var tokens = new List<SoftHsmToken>(TokenSupply);
        for (var i = 1; i <= TokenSupply; i++)
        {
            tokens.Add(SoftHsmToken.Initialise(
                ModulePath,
                config,
                $"secretadmin-test-{i:00}",
                pin: Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
                soPin: Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))));
        }

        return tokens;
    }

    /// <summary>
    /// The test host is often ended without running exit handlers, so earlier runs' folders are
    /// removed here once they are a day old (never a folder a running suite may still use).
    /// </summary>
    private static void RemoveStaleFolders(string parent)
    {
        if (!Directory.Exists(parent))
        {
            return;
        }

        foreach (var stale in Directory.GetDirectories(parent, "softhsm-*").Where(d => Directory.GetLastWriteTimeUtc(d) < DateTime.UtcNow.AddDays(-1)))
        {
            Directory.Delete(stale, recursive: true);
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, program)));

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
