using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using SecretAdmin.Security;

namespace SecretAdmin.Features.Keys;

/// <summary>
/// The PKCS#11 libraries this process has loaded, one per module path. A PKCS#11 library is
/// process-wide state — C_Initialize once, C_Finalize ends it for every user — so each is loaded
/// on first use and kept for the life of the process, whichever service or key asked for it.
/// </summary>
internal static class Pkcs11Modules
{
    private static readonly Dictionary<string, IPkcs11Library> Loaded = new(StringComparer.Ordinal);
    private static readonly Lock LoadLock = new();

    static Pkcs11Modules()
    {
        // Pkcs11Interop finds dlopen in "libdl"; glibc 2.34 and later ship only libdl.so.2 unless the
        // development package is installed, so name the runtime library on Linux.
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, _, _) =>
            name == "libdl" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero);
    }

    public static Pkcs11InteropFactories Factories { get; } = new();

    /// <summary>The loaded and initialised library at <paramref name="module"/>; a failure is not remembered, so a corrected installation is picked up.</summary>
    /// <exception cref="MasterKeyUnavailableException">The module is missing or cannot be loaded or initialised.</exception>
    public static IPkcs11Library Get(string module)
    {
        var path = Path.GetFullPath(module);
        lock (LoadLock)
        {
            if (Loaded.TryGetValue(path, out var library))
            {
                return library;
            }

            if (!File.Exists(path))
            {
                throw new MasterKeyUnavailableException(
                    $"The PKCS#11 module {path} does not exist; install the HSM's library or correct {Pkcs11MasterKeyOptions.Section}:Module.");
            }

            try
            {
                library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, path, AppType.MultiThreaded);
            }
            catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or LibraryArchitectureException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                var reason = e is Pkcs11Exception p11 ? $"{p11.Method} returned {p11.RV}" : e.Message;
                throw new MasterKeyUnavailableException(
                    $"The PKCS#11 module {path} could not be loaded and initialised ({reason}); check that it is the HSM's PKCS#11 library for this machine and that its configuration is readable (SoftHSM2 reads the file SOFTHSM2_CONF names, or /etc/softhsm/softhsm2.conf).", e);
            }

            Loaded.Add(path, library);
            return library;
        }
    }
}
