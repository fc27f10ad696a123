using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SecretAdmin.Features.Keys;
using SecretAdmin.Security;

namespace SecretAdmin.ComponentTests.Features.Keys;

/// <summary>Every page says so while the master key is unavailable, and says nothing while it is loaded.</summary>
public sealed class MasterKeyUnavailableAlertTests : MudComponentTestContext
{
    private readonly SecretSealer _sealer = new(Options.Create(new SealingOptions()));

    public MasterKeyUnavailableAlertTests()
    {
        Services.AddSingleton(_sealer);
    }

    [Fact]
    public void Render_MasterKeyUnavailable_AlertsThatNothingCanBeSavedOrOpenedWithoutTheReason()
    {
        _sealer.Suspend("the master key is unavailable: the PKCS#11 token 'hsm' (module /usr/lib/softhsm/libsofthsm2.so) does not answer");

        var cut = Render<MasterKeyUnavailableAlert>();

        var alert = cut.Find(".master-key-unavailable");
        Assert.Equal("alert", alert.GetAttribute("role"));
        Assert.Contains("The master key is unavailable, so no secret can be saved or opened", alert.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("/usr/lib", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_KeysLoaded_ShowsNothing()
    {
        _sealer.Use(KeyRing.CreateNew(DateTimeOffset.UtcNow));

        var cut = Render<MasterKeyUnavailableAlert>();

        Assert.Empty(cut.FindAll(".master-key-unavailable"));
    }
}
