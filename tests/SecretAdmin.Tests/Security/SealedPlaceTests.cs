using System.Text;
using SecretAdmin.Security;

namespace SecretAdmin.Tests.Security;

public sealed class SealedPlaceTests
{
    [Theory]
    [InlineData("SmtpSettings", "Password", "1")]
    [InlineData("AspNetUsers", "TotpSecret", "3f2b8c1e-6d4a-4f7b-9a55-0c1d2e3f4a5b")]
    [InlineData("Tåble", "Cölumn", "row-ü€𝄞")]
    [InlineData("", "", "")]
    public void WriteAssociatedData_WritesTheUtf8OfTheAssociatedDataText(string table, string column, string rowKey)
    {
        var place = new SealedPlace(table, column, rowKey);
        var expected = Encoding.UTF8.GetBytes($"secretadmin:{table}:{column}:{rowKey}");
        var destination = new byte[expected.Length + 8];

        var written = place.WriteAssociatedData(destination);

        Assert.Equal(expected.Length, place.AssociatedDataByteCount);
        Assert.Equal(expected.Length, written);
        Assert.Equal(expected, destination[..written]);
        Assert.Equal(Encoding.UTF8.GetString(expected), place.AssociatedData);
    }
}
