using SecretAdmin.Hosting;
using SecretAdmin.Tests.Support;

namespace SecretAdmin.Tests.Hosting;

public sealed class CommandLineTests : IDisposable
{
    private readonly TempDataDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:8080" }, false)]
    [InlineData(new[] { "--environment", "Production" }, false)]
    [InlineData(new[] { "health" }, true)]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "-h" }, true)]
    [InlineData(new[] { "--version" }, true)]
    public void IsCommand_Arguments_TellCommandsFromWebAppOptions(string[] args, bool expected)
    {
        Assert.Equal(expected, CommandLine.IsCommand(args));
    }

    [Fact]
    public async Task Help_ListsCommandsWithoutStartingAnything()
    {
        var result = await AppProcess.RunAsync(_temp, ["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("health", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Data.DatabaseFile));
    }

    [Fact]
    public async Task UnknownCommand_ExitsNonZeroSayingSo()
    {
        var result = await AppProcess.RunAsync(_temp, ["frobnicate"]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Unrecognized command or argument 'frobnicate'", result.Error + result.Output, StringComparison.Ordinal);
    }
}
