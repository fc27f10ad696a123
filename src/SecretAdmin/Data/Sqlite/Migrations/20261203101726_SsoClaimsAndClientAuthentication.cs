using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecretAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SsoClaimsAndClientAuthentication : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ClientAuthentication",
                table: "OidcSettings",
                type: "TEXT",
                maxLength: 20,
                nullable: false,
                defaultValue: "Automatic");

            migrationBuilder.AddColumn<string>(
                name: "EmailClaimFallback",
                table: "OidcSettings",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HostedDomainClaim",
                table: "OidcSettings",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HostedDomains",
                table: "OidcSettings",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClientAuthentication",
                table: "OidcSettings");

            migrationBuilder.DropColumn(
                name: "EmailClaimFallback",
                table: "OidcSettings");

            migrationBuilder.DropColumn(
                name: "HostedDomainClaim",
                table: "OidcSettings");

            migrationBuilder.DropColumn(
                name: "HostedDomains",
                table: "OidcSettings");
        }
    }
}
