namespace SecretAdmin.Tests.Support;

/// <summary>One running app process in the Production environment with an administrator, shared by a test class.</summary>
public sealed class ProductionAppFixture : IAsyncLifetime
{
    public const string AdminEmail = "admin@example.test";

    private readonly TempDataDirectory _temp = new();

    public string AdminPassword { get; } = $"Prod-admin-{Guid.NewGuid():N}";

    public WebAppProcess App { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        await WebAppProcess.CreateAdminAsync(_temp, AdminEmail, AdminPassword);
        App = await WebAppProcess.StartAsync(_temp);
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        _temp.Dispose();
    }

    /// <summary>A new client signed in as the administrator on the sign-in form.</summary>
    public async Task<HttpClient> SignedInAdminAsync()
    {
        var client = App.Client();
        using var response = await WebSession.SignInAsync(client, AdminEmail, AdminPassword);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Redirect, $"sign-in gave {(int)response.StatusCode}. Log:\n{App.Log}");
        return client;
    }
}
