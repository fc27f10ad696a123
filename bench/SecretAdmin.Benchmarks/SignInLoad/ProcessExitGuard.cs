using System.Diagnostics;

namespace SecretAdmin.Benchmarks.SignInLoad;

/// <summary>Kills a child process when this one is stopped (Ctrl+C, SIGTERM) before it could stop the child itself.</summary>
internal sealed class ProcessExitGuard : IDisposable
{
    private readonly int _processId;

    public ProcessExitGuard(int processId)
    {
        _processId = processId;
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        Console.CancelKeyPress += OnCancel;
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        Console.CancelKeyPress -= OnCancel;
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e) => Kill();

    private void OnExit(object? sender, EventArgs e) => Kill();

    private void Kill()
    {
        try
        {
            using var process = Process.GetProcessById(_processId);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }
}
