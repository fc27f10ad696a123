using QRCoder;

namespace SecretAdmin.Features.Mfa.Totp;

/// <summary>A QR code drawn as SVG on the server (no script, no image service).</summary>
public static class QrCodeSvg
{
    public static string For(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(5);
    }
}
