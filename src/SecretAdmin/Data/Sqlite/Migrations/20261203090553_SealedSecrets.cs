using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecretAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SealedSecrets : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PasswordDestination",
                table: "SmtpSettings",
                type: "TEXT",
                maxLength: 2500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClientSecretDestination",
                table: "OidcSettings",
                type: "TEXT",
                maxLength: 2500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TotpSecretDestination",
                table: "AspNetUsers",
                type: "TEXT",
                maxLength: 2500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TotpSecretUpdatedBy",
                table: "AspNetUsers",
                type: "TEXT",
                maxLength: 256,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PasswordDestination",
                table: "SmtpSettings");

            migrationBuilder.DropColumn(
                name: "ClientSecretDestination",
                table: "OidcSettings");

            migrationBuilder.DropColumn(
                name: "TotpSecretDestination",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "TotpSecretUpdatedBy",
                table: "AspNetUsers");
        }
    }
}
