using System.Runtime.InteropServices;

namespace SecretAdmin.Benchmarks;

/// <summary>
/// <c>dotnet publish</c> as README.md's deploy does it: Release, framework-dependent, ReadyToRun for
/// this machine's runtime, so a process measured here starts with the same precompiled code as one
/// an operator starts (the app, or a command such as <c>keys reseal</c>).
/// </summary>
internal static class Publish
{
    public static async Task ProjectAsync(string project, string output, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null) =>
        await Command.RunAsync(
            "dotnet",
            ["publish", project, "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output, "--nologo", "-v", "q"],
            workingDirectory,
            environment);
}
