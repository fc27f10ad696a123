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

    /// <summary>
    /// MudNumericField validates itself on blur and then overwrites the Error and ErrorText it was
    /// given (it always has a validation of its own), so the page's message would vanish; as its
    /// validation it answers with the same message the page shows.
    /// </summary>
    private Func<int, string?> NumberRule(string field) => _ => ErrorFor(field);

    // The switch shows on while everyone must use MFA (that includes administrators) and is
    // disabled then, so only a change made while it is enabled reaches the form.
    private void RequireForAdminsChanged(bool value)
    {
        _form.RequireForAdmins = value;
        Touched(nameof(_form.RequireForAdmins));
    }
}
