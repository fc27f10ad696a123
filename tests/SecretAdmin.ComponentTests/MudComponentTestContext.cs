using MudBlazor.Services;

namespace SecretAdmin.ComponentTests;

/// <summary>A bUnit context that renders MudBlazor components: JS calls answer with defaults, Mud services are registered.</summary>
public abstract class MudComponentTestContext : BunitContext, IAsyncLifetime
{
    protected MudComponentTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    // xUnit 2 calls Dispose, but some MudBlazor services can only be disposed asynchronously;
    // disposing here first makes the later Dispose a no-op.
    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
