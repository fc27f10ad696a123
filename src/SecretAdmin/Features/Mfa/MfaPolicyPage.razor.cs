using Microsoft.AspNetCore.Components;
using SecretAdmin.Features.Audit;
using SecretAdmin.Features.Settings;

namespace SecretAdmin.Features.Mfa;

public partial class MfaPolicyPage
{
    private MfaPolicyForm _form = new();

    [Inject]
    private MfaPolicyService Policy { get; set; } = default!;

    protected override string What => "MFA policy";

    protected override Task<MfaPolicyView> LoadAsync() => Policy.GetAsync();

    protected override long VersionOf(MfaPolicyView view) => view.Version;

    protected override void ResetForm(MfaPolicyView view) => _form = MfaPolicyForm.From(view);

    protected override IReadOnlyDictionary<string, string[]> Validate(MfaPolicyView view) => MfaPolicyValidator.Validate(_form);

    protected override Task<SettingsSaveResult> SaveAsync(AuditActor actor, long version) => Policy.SaveAsync(actor, _form, version);
}
